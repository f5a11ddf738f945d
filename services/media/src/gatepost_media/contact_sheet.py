"""A contact sheet of sample carousels, one row per script the generator detects: the cover (with
its title) and two slides, each composed as media composes slides for TikTok.

    uv run python -m gatepost_media.contact_sheet docs/contact-sheet.jpg
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from gatepost_common.slide_style import Style
from gatepost_media.typeset import BODY_SCALE, compose

THUMB = 300
SAMPLES: dict[str, tuple[str, str, str, str]] = {
    # language: (title, cover text, slide 2, slide 3)
    "vi": ("Cây cảnh xanh suốt mùa đông", "7 mẹo đơn giản", "Đặt cây gần cửa sổ hướng nam",
           "Tưới ít hơn vào mùa lạnh"),
    "pl": ("Zdrowe nawyki na każdy dzień", "Małe kroki, duże zmiany",
           "Pij wodę zaraz po przebudzeniu", "Źródło energii: krótki spacer"),
    "tr": ("Kışın bitki bakımı", "Yeşil kalmanın sırları", "Güneşli bir pencere seçin",
           "Toprağı ıslak bırakmayın"),
    "ru": ("Комнатные растения зимой", "Семь простых советов", "Больше света у окна",
           "Поливайте реже, чем летом"),
    "el": ("Φυτά εσωτερικού τον χειμώνα", "Επτά απλές συμβουλές", "Περισσότερο φως στο παράθυρο",
           "Ποτίζετε λιγότερο"),
    "ar": ("نباتات المنزل في الشتاء", "سبع نصائح بسيطة", "ضعها قرب نافذة مشمسة",
           "اسقها أقل من الصيف"),
    "fa": ("گیاهان آپارتمانی در زمستان", "هفت نکتهٔ ساده", "نور بیشتر کنار پنجره",
           "کمتر از تابستان آب بدهید"),
    "he": ("צמחי בית בחורף", "שבעה טיפים פשוטים", "הציבו אותם ליד חלון שמשי",
           "השקו פחות מאשר בקיץ"),
    "hi": ("सर्दियों में घर के पौधे", "सात आसान सुझाव", "धूप वाली खिड़की के पास रखें",
           "गर्मियों से कम पानी दें"),
    "bn": ("শীতে ঘরের গাছপালা", "সাতটি সহজ পরামর্শ", "রোদেলা জানালার পাশে রাখুন",
           "গ্রীষ্মের চেয়ে কম জল দিন"),
    "th": ("ดูแลต้นไม้ในบ้านช่วงหน้าหนาว", "เจ็ดเคล็ดลับง่าย ๆ", "วางไว้ใกล้หน้าต่างที่มีแดด",
           "รดน้ำน้อยกว่าหน้าร้อน"),
    "zh": ("冬季室内植物养护", "七个简单方法", "放在向阳的窗边", "比夏天少浇水"),
    "ja": ("冬の観葉植物ケア", "七つの簡単なコツ", "日当たりの良い窓辺に置く",
           "夏より水やりを控える"),
    "ko": ("겨울철 실내 식물 관리", "일곱 가지 쉬운 방법", "햇빛 드는 창가에 두세요",
           "여름보다 물을 적게 주세요"),
}  # fmt: skip


def illustration(seed: int) -> bytes:
    """A stand-in illustration: a two-tone gradient with a sun and hills."""
    image = Image.new("RGB", (1080, 1080))
    draw = ImageDraw.Draw(image)
    top = ((seed * 53) % 200 + 40, (seed * 97) % 200 + 40, (seed * 31) % 200 + 55)
    for y in range(1080):
        t = y / 1079
        draw.line((0, y, 1079, y), fill=tuple(int(c * (1 - t) + 240 * t) for c in top))
    draw.ellipse((700, 120, 940, 360), fill=(255, 214, 90))
    draw.polygon([(0, 1080), (0, 760), (380, 600), (760, 820), (1080, 640), (1080, 1080)],
                 fill=(40, 110, 70))  # fmt: skip
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92)
    return out.getvalue()


def sheet() -> Image.Image:
    label_font = ImageFont.truetype("/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf", 26)
    rows = list(SAMPLES.items())
    canvas = Image.new("RGB", (80 + 3 * THUMB + 40, len(rows) * (THUMB + 16) + 16), "white")
    draw = ImageDraw.Draw(canvas)
    for row, (language, (title, cover, *slides)) in enumerate(rows):
        y = 16 + row * (THUMB + 16)
        draw.text((16, y + THUMB // 2), language, fill="black", font=label_font, anchor="lm")
        picture = illustration(row + 1)
        made = [compose(picture, [(title, 1.0), (cover, BODY_SCALE)], language, Style())]
        made += [compose(picture, [(text, 1.0)], language, Style()) for text in slides]
        for column, slide in enumerate(made):
            canvas.paste(slide.resize((THUMB, THUMB), Image.Resampling.LANCZOS),
                         (80 + column * (THUMB + 10), y))  # fmt: skip
    return canvas


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path, help="where to write the sheet (.png or .jpg)")
    args = parser.parse_args()
    image = sheet()
    image.save(args.out, quality=85, optimize=True)
    print(f"{len(SAMPLES)} scripts, {args.out} ({args.out.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
