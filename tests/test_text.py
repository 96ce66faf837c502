import pytest

from workshop.text import fold, search_pattern


@pytest.mark.parametrize("text,folded", [
    ("UBND huyện Phổ Yên", "ubnd huyen pho yen"),
    ("UBND huyện Đồng Hỷ", "ubnd huyen dong hy"),
    ("Sở Lao động - Thương binh và Xã hội", "so lao dong - thuong binh va xa hoi"),
    ("  Định   Hóa ", "dinh hoa"),
    (None, ""),
])
def test_fold_removes_vietnamese_accents(text, folded):
    assert fold(text) == folded


def test_search_pattern_escapes_like_wildcards():
    assert search_pattern("100%_x") == "%100\\%\\_x%"
