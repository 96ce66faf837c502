"""The summary (báo cáo kết quả hội thảo): compiled from the data, with the chair's conclusions."""
