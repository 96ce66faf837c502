"""The biên bản hội thảo (minutes) and the thông báo kết luận (the chair's conclusions)."""
