"""The documents an office signs and files (giấy mời, báo cáo, biên bản, thông báo kết luận),
each as DOCX and as PDF from its print page: one registry entry per document (`registry.py`)."""
