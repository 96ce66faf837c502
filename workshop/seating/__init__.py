"""The seating plan and the name plates of a workshop (sơ đồ chỗ ngồi, biển tên để bàn)."""
