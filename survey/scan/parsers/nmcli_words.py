"""The words nmcli translates in `device wifi list` values, in every NetworkManager locale.

nmcli prints a few values through gettext (src/nmcli/devices.c, fill_output_access_point
and ap_wpa_rsn_flags_to_string): the placeholder "(none)" of WPA-FLAGS/RSN-FLAGS, ACTIVE
"yes"/"no", MODE "Infra"/"Ad-Hoc"/"Mesh"/"N/A", the units of RATE ("%u Mbit/s"), FREQ and
BANDWIDTH ("%u MHz") and the BAND values ("2.4 GHz", "5 GHz", "6 GHz"). Column titles,
the empty-value "--", SECURITY words and flag words are not translated
(src/nmcli/utils.c prints field names and "--" as they are).

Source: every po/*.po of NetworkManager/NetworkManager at commit
355bc902994f8f616bc80dcb451455f7aeb6b809 (August 2026), non-fuzzy entries only, extracted
with scripts/nmcli_po_words.py. English first, then the translations.
"""

from __future__ import annotations

#: msgid -> translations (without the English msgid itself).
TRANSLATIONS: dict[str, tuple[str, ...]] = {
    '(none)': (
        '(aucun)', '(bat ere ez)', '(brak)', '(brez)', '(cap)', '(geen)', '(hiçbiri)', '(ingen)',
        '(jokios)', '(keine)', '(nenhum(a))', '(neniu)', '(nessuno)', '(nic)', '(niciuna)',
        '(nijedan)', '(nincs)', '(ninguno)', '(ningún)', '(ništa)', '(pas cap)', '(tidak ada)',
        '(žiadne)', '(κανένα)', '(без)', '(жоқ)', '(немає)', '(нет)', '(ништа)', '(काहिच नाही)',
        '(कोई नहीं)', '(শূণ্য)', '(ਕੋਈ ਨਹੀਂ)', '(કંઇ નહિં)', '(କିଛି ନାହିଁ)', '(ஒன்றுமில்லாத)',
        '(ఏదీకాదు)', '(ಯಾವುದೂ ಇಲ್ಲ)', '(ഒന്നുമില്ല)', '(არცერთი)', '(없음)', '（なし）', '（无）',
    ),
    'yes': (
        'ano', 'bai', 'da', 'evet', 'igen', 'ja', 'jes', 'kyllä', 'oui', 'si', 'sim', 'sì', 'sí',
        'taip', 'tak', 'ya', 'áno', 'òc', 'ναι', 'да', 'иә', 'так', 'हाँ', 'होय', 'হ্যাঁ', 'হয়',
        'ਹਾਂ', 'હાં', 'ହଁ', 'ஆம்', 'అవును', 'ಹೌದು', 'ഉവ്വു്', 'დიახ', 'はい', '是', '예',
    ),
    'no': (
        'ei', 'ez', 'hayır', 'ne', 'nee', 'nein', 'nej', 'nem', 'nie', 'non', 'nu', 'não', 'tidak',
        'όχι', 'жоқ', 'не', 'нет', 'ні', 'नहीं', 'नाही', 'নহয়', 'না', 'ਨਹੀਂ', 'ના', 'ନାଁ', 'இல்லை',
        'కాదు', 'ಇಲ್ಲ', 'ഇല്ല', 'არა', 'いいえ', '否', '아니요',
    ),
    'Infra': (
        'Infrastruktura', 'Kiépített', 'Υποδομή', 'Інфраструктура', 'Инфра', 'इंफ्रा', 'ਇੰਨਫਰਾ',
        'ઇન્ફ્રા', 'ಇನ್\u200cಫ್ರಾ', 'ഇന്\u200dഫ്രാ', 'インフラ', '인프라',
    ),
    'Ad-Hoc': (
        'Ad-Hok', 'Ad-hoc', 'Eseti', 'Porokaza', 'Ад-Хок', 'Инцидентен (ад хок)', 'ऍड-हॉक',
        'অ্যাড-হক', 'ਐਡ-ਹਾਕ', 'ଏଡ-ହୋକ', 'ತಾತ್ಕಾಲಿಕ', 'അഡ്-ഹോക്', 'アドホック', '애드혹',
    ),
    'Mesh': (
        'Háló', 'Isprepleteno', 'Malla', 'Maschennetz', 'Meš', 'Mreževina', 'Plasă', 'Sieć kratowa',
        'Меш', 'Сітка', 'मेश', 'মেশ্ব', 'ਮੈਸ਼', 'மெஷ்', 'మెష్', 'ಮೆಶ್', 'ბადე', 'メッシュ', '메쉬',
    ),
    'N/A': (
        'Indisp.', 'N.V.', 'N.v.t.', 'N/D', 'Neaplikebla', 'Neprieinama', 'Nie dotyczy',
        'No disponible', 'Yok', 'n/d', 'ni na voljo', 'Μ/Δ', 'Липсва', 'Н/Д', 'н/д', 'Қ/Ж',
        'অপ্ৰযোজ্য', 'প্রযোজ্য নয়', 'ਉਪਲੱਬਧ ਨਹੀਂ', 'பொருந்தாது ', 'ಲಭ್ಯವಿಲ್ಲ', 'არარსებული', '–',
        '—', 'なし', '不可用', '해당 없음',
    ),
    '%u Mbit/s': (
        '%u Mb/s', '%u Mbit/mp', '%u Mbiți/s', '%u МБ/с', '%u Мбит/с', '%u মেগাবাইট/সেকেন্ড',
        '%u მბიტ/წმ', '%u\u2009Mb/s', '%u\u200aMbit/s',
    ),
    '%u MHz': (
        '%u МГц', '%u მჰც', '%u\u2009MHz', '%u\u200aMHz',
    ),
    '2.4 GHz': (
        '2,4 GHz', '2.4 ГГц',
    ),
    '5 GHz': (
        '5 ГГц',
    ),
    '6 GHz': (
        '6 ГГц',
    ),
}


def words(msgid: str) -> tuple[str, ...]:
    """The English word and all its translations."""
    return (msgid,) + TRANSLATIONS[msgid]
