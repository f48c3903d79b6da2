"""Words of a simulated case: names, organic chatter, a farm's talking points and its typos.

Farm comments are paraphrases of a few talking points per client (an opener, the point in one of
several wordings, a closer), the way a copywriter briefs operators; operators repeat some texts
verbatim and carry their own misspellings from account to account.
"""

from __future__ import annotations

import random

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["NAMES", "person_names", "nicknames", "organic_texts", "TALKING_POINTS", "farm_text",
           "operator_typos", "apply_typos", "personal_post"]

NAMES = {
    "kz": {
        "f": "Айгерим Мадина Аружан Дана Камшат Альбина Айсулу Амира Гульнара Жанар Сауле Динара Асель Меруерт "
             "Томирис Жансая Акерке Салтанат Назерке Индира Гаухар Алия Ботагоз Мольдир".split(),
        "m": "Ерасыл Карим Нурлан Айдос Ерлан Данияр Асхат Бауыржан Темирлан Арман Ержан Канат Серик Азамат "
             "Мирас Нуржан Дархан Олжас Санжар Жандос Алмат Руслан Тимур Берик".split(),
        "last": "Умбетов Абилов Султанов Ахмедов Жанысбаев Танатаров Искаков Жумабаев Сейткали Нурланов "
                "Касымов Оспанов Байжанов Мукашев Ибраев Сарсенбаев Алиев Тулегенов Есенов Кенжебаев "
                "Жакупов Смагулов Абенов Муратов".split(),
    },
    "kg": {
        "f": "Айжан Айпери Нургуль Мирбул Гульбарчин Асель Назира Динара Жылдыз Бермет Айгуль Чолпон Мээрим "
             "Элнура Гулжан Жамиля Айдана Каныкей Бактыгуль Толгонай Сабина Алина Дарийка Нуриза".split(),
        "m": "Жоомарт Азамат Нурбек Тимур Эмиль Бакыт Улан Айбек Эрлан Марат Данияр Кубат Нурсултан Бекжан "
             "Адилет Талант Самат Руслан Чынгыз Эрмек Бектур Максат Алмаз Аскар".split(),
        "last": "Аматов Рызыков Сеитов Аманов Табышев Шарапов Мукашев Кайыпов Сабыров Жумабеков Токтогулов "
                "Осмонов Абдыкадыров Исаков Бекмуратов Турдубаев Асанов Кадыров Момунов Алиев Эсенов "
                "Садыков Орозбеков Шаршеев".split(),
    },
    "intl": {
        "f": "Anna Maria Julia Sophie Claire Laura Elena Chloé Ines Hannah Lea Emma Sara Mei Lin Priya".split(),
        "m": "Jared Sotiri Marco Lukas Pierre Jan Tom Jonas Pavel Ravi Wei Hugo Felix Paul Mark Dario".split(),
        "last": "Dimpinoudis Müller Martin Rossi Dubois Schmidt Novak Jensen Kumar Wang Garcia Costa Weber "
                "Moreau Smith Brown".split(),
    },
}


def person_names(rng: np.random.Generator, n: int, region: str) -> tuple[list[str], list[str]]:
    """`n` display names and their genders ('f'/'m'); Kazakh and Kyrgyz surnames take -а for women."""
    names = NAMES[region]
    gender = np.where(rng.random(n) < 0.55, "f", "m")
    first_f = rng.integers(0, len(names["f"]), n)
    first_m = rng.integers(0, len(names["m"]), n)
    last = rng.integers(0, len(names["last"]), n)
    out = []
    for g, a, b, c in zip(gender, first_f, first_m, last):
        surname = names["last"][c]
        if g == "f" and region != "intl" and surname.endswith(("ов", "ев", "ин")):
            surname += "а"
        out.append(f"{names[g][a] if g == 'f' else names['m'][b]} {surname}")
    return out, gender.tolist()


_TRANSLIT = str.maketrans({"а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z",
                           "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
                           "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch",
                           "ш": "sh", "щ": "sh", "ы": "y", "э": "e", "ю": "yu", "я": "ya", "ё": "e", "ү": "u",
                           "ө": "o", "ң": "n", "ә": "a", "ғ": "g", "қ": "k", "ұ": "u", "һ": "h", "і": "i",
                           "ь": "", "ъ": "", " ": "_", "é": "e", "ü": "u"})


def nicknames(rng: np.random.Generator, names: list[str], ids: np.ndarray) -> list[str]:
    """Handles like aisulu_8080, madina.umbetova or nurlan92, made from display names."""
    style = rng.integers(0, 4, len(names))
    num = rng.integers(10, 99, len(names))
    out = []
    for name, s, k, i in zip(names, style, num, ids):
        first, _, last = name.lower().translate(_TRANSLIT).partition("_")
        if s == 0:
            out.append(f"{first}_{k}{k}_{i}")
        elif s == 1:
            out.append(f"{first}.{last}{i}")
        elif s == 2:
            out.append(f"{first}{1960 + k % 45}_{i}")
        else:
            out.append(f"{last}_{first[:1]}{i}")
    return out


# Organic chatter: an opener, an event, where or when, a closer; every part but the event may be
# left out ("" entries). Tens of thousands of combinations per language, so real people rarely
# write the same words, unlike a farm's briefed talking points.
_ORGANIC = {
    "ru": (
        "; ; ; Сегодня наконец-то; Вчера вечером; Кто-нибудь знает,; Ребята,; Честно говоря,; Утром; Опять; "
        "Всем привет!; Не знаю как вы, но; Помогите советом:; Жесть,; Короче,; Представляете,; Мда,; Ура!; "
        "Девочки,; Слушайте,; Так вот,",
        "съездили с детьми в горы; снова пробки; пробовали новое кафе; цены на бензин опять выросли; в школе "
        "собрание перенесли; сломался лифт; во дворе спилили деревья; свет отключили на полдня; ищу нормальный "
        "зимний пуховик; рейс задержали на три часа; посмотрели новый фильм; дочка пошла в первый класс; тренер "
        "хвалит сына; на базаре всё дорого; потеряла ключи; кот опять залез на шкаф; начали ремонт на кухне; "
        "записались на курсы английского; сдала на права; отметили юбилей мамы; купили подержанную машину; "
        "соседи сверлят с утра; заболел младший; выпал первый снег; ходили на концерт; нашли щенка; сварила "
        "плов; забыла зонт в автобусе; муж ездил на рыбалку; бабушка испекла баурсаки",
        "; ; ; на Абая; возле дома; на Толе би; в Алматы; в Астане; у тёщи; на работе; в выходные; "
        "второй день; с утра; всю неделю; после обеда; на даче; в микрорайоне; у нас в подъезде",
        "; ; 😂; и никто ничего не объясняет.; всем советую!; кто был, как вам?; такие дела.; 👍; ну и ну.; "
        "завтра обещают снег.; спасибо всем за поздравления!; напишите в личку.; фото ниже.; eh...; "
        "вот так живём.; 🙈; кто знает, подскажите.; устала.; всех обнимаю!; ахаха; хорошего вечера!",
    ),
    "kk": (
        "; ; ; Бүгін; Кеше кешке; Достар,; Шынымды айтсам,; Таңертең; Тағы да; Бәріне сәлем!; Қыздар,; "
        "Білесіздер ме,; Ой,; Сонымен,",
        "балалармен тауға бардық; кептеліс; жаңа кафеге бардық; бензин тағы қымбаттады; мектепте жиналыс "
        "болды; ауладағы ағаштарды кесіп тастады; жарық жарты күн болмады; кілтімді жоғалттым; ас үйде жөндеу "
        "бастадық; анамның мерейтойын тойладық; бірінші қар жауды; концертке бардық; палау пісірдім; ағылшын "
        "курсына жазылдық; көлік сатып алдық; кіші балам ауырып қалды",
        "; ; ; Абай көшесінде; үйдің жанында; Алматыда; Астанада; жұмыста; демалыста; таңертең; апта бойы; "
        "саяжайда",
        "; ; 😂; бәріне кеңес беремін!; рахмет бәріңізге!; 👍; ертең қар жауады дейді.; міне осындай.; "
        "сурет төменде.; бәріңізді құшақтаймын!; кім біледі, айтыңыздаршы.; жақсы кеш!",
    ),
    "ky": (
        "; ; ; Бүгүн; Кечээ кечинде; Достор,; Чынын айтсам,; Эртең менен; Дагы эле; Баарыңарга салам!; "
        "Кыздар,; Билесиңерби,; Ой,; Ошентип,",
        "балдар менен тоого бардык; тыгын; жаңы кафеге бардык; бензин дагы кымбаттады; мектепте чогулуш "
        "болду; короодогу дарактарды кыйып салышты; жарык жарым күн болгон жок; ачкычымды жоготуп алдым; "
        "ашканада оңдоо баштадык; апамдын мааракесин белгиледик; биринчи кар жаады; концертке бардык; палоо "
        "жасадым; англис тили курсуна жазылдык; машина сатып алдык; кичүү балам ооруп калды",
        "; ; ; Чүй проспектисинде; үйдүн жанында; Бишкекте; Ошто; жумушта; дем алышта; эртең менен; "
        "жума бою; дачада",
        "; ; 😂; баарыңарга сунуштайм!; рахмат баарыңарга!; 👍; эртең кар жаайт дешет.; мына ушундай.; "
        "сүрөт төмөндө.; баарыңарды кучактайм!; ким билет, айтып коюңуздар.; жакшы кеч!",
    ),
    "en": (
        "; ; ; Honestly,; Just saw this:; Breaking:; Unbelievable,; Thread:; Reminder:; Morning all,; Wow,; "
        "So,; Update:; PSA:",
        "the match last night was something else; traffic is a nightmare again; new phone, who dis; rent "
        "went up again; the conference keynote was great; my flight got cancelled; reading a great book on "
        "history; the new cafe is worth it; lost my keys again; started a kitchen renovation; first snow of "
        "the year; my kid started school; the power was out for hours; signed up for a marathon",
        "; ; ; downtown; near my place; at work; this weekend; all week; this morning; in Almaty",
        "; ; 🙄; more soon.; thoughts?; #mondays; lol.; 👀; read the whole thing.; can't make this up.; "
        "send help.; anyway.; highly recommend.",
    ),
}


def _pool(lang: str) -> list[pa.Array]:
    """The parts of `lang`'s chatter; "" entries (a part left out) are kept, but not in the event."""
    return [pa.array([p.strip() for p in part.split(";") if p.strip() or k != 1])
            for k, part in enumerate(_ORGANIC[lang])]


def organic_texts(rng: np.random.Generator, n: int, langs: list[str], weights: list[float]) -> pa.Array:
    """`n` everyday texts (opener, event, where or when, closer) in the given languages, built column-wise."""
    lang = rng.choice(len(langs), n, p=np.asarray(weights) / np.sum(weights))
    pieces = []
    order = []
    for k, code in enumerate(langs):
        idx = np.flatnonzero(lang == k)
        if len(idx) == 0:
            continue
        parts = _pool(code)
        cols = [p.take(pa.array(rng.integers(0, len(p), len(idx)))) for p in parts]
        joined = pc.binary_join_element_wise(*cols, " ")
        pieces.append(pc.utf8_trim_whitespace(pc.replace_substring_regex(joined, r"\s{2,}", " ")))
        order.append(idx)
    if not pieces:
        return pa.array([], pa.string())
    joined = pa.concat_arrays([p.combine_chunks() if isinstance(p, pa.ChunkedArray) else p for p in pieces])
    back = np.argsort(np.concatenate(order), kind="stable")
    return joined.take(pa.array(back))


_SPLIT = {lang: [[x.strip() for x in part.split(";")] for part in parts] for lang, parts in _ORGANIC.items()}


def personal_post(r: random.Random, lang: str) -> str:
    """An everyday remark (opener, event, where or when, closer; the event always) in `lang`."""
    return " ".join(p for p in (r.choice([x for x in part if x or k == 1] if k == 1 else part)
                                for k, part in enumerate(_SPLIT[lang])) if p)


# Talking points per client: (openers, points, closers). Points hold several wordings of few ideas.
TALKING_POINTS: dict[str, tuple[list[str], list[list[str]], list[str]]] = {
    "foundation": (
        ["Спасибо Фонду", "Рахмет!", "Молодцы", "Бәрекелді!", "Вот это правильно", "Поддерживаю", "Очень важно"],
        [["Елбасы всегда думает о народе", "Елбасы постоянно заботится о простых людях",
          "Первый Президент думает о каждом из нас"],
         ["такие проекты нужны молодёжи", "молодёжи нужны именно такие программы", "жастарға осындай жобалар керек"],
         ["страна идёт вперёд", "Казахстан уверенно развивается", "еліміз алға басып келеді"],
         ["это настоящая забота о будущем", "так и строится будущее страны"]],
        ["так держать!", "🇰🇿", "спасибо за заботу!", "👏👏", "побольше бы таких новостей", "."],
    ),
    "party": (
        ["Правильное решение", "Поддерживаю полностью", "Нур Отан", "Молодцы!", "Бәрекелді", "Согласен"],
        [["партия работает для людей", "партия делает реальные дела для народа", "партия халық үшін жұмыс істейді"],
         ["депутаты наконец услышали граждан", "Мажилис услышал простых людей"],
         ["стабильность важнее всего", "главное сейчас мир и стабильность", "тұрақтылық бәрінен маңызды"]],
        ["так держать!", "👍", "вперёд!", "только вместе!", "."],
    ),
    "anti-critic": (
        ["Опять", "Хватит", "Смешно читать", "Позор", "Ну-ну", "Кому выгодно?"],
        [["этот беглый банкир обманул тысячи людей", "Аблязов украл деньги у народа",
          "беглый олигарх снова врёт"],
         ["это всё проплачено с Запада", "за этим стоят западные гранты", "работают на чужие деньги"],
         ["не верьте провокаторам", "провокаторы хотят раскачать лодку", "не поддавайтесь на провокации"]],
        ["позор!", "😡", "народ всё видит", "и так понятно", "."],
    ),
    "mekenim": (
        ["Мекеним Кыргызстан!", "Колдойм!", "Азаматтар", "Туура", "Молодцы", "Элнура эже"],
        [["партия реально помогает людям", "бул партия элге чын эле жардам берет", "партия делает дела, а не слова"],
         ["мэрия специально мешает агитации", "шаардык мэрия атайын тоскоол болуп жатат"],
         ["голосуем за №9", "4-октябрда №9 үчүн добуш беребиз", "все на выборы за Мекеним"]],
        ["👍", "алга!", "ийгилик!", "🇰🇬", "."],
    ),
    "japarov": (
        ["Садыр Жапаров!", "Колдойм!", "Наконец-то", "Народ с вами", "Туура"],
        [["только Садыр наведёт порядок", "Садыр гана тартип орното алат", "Жапаров — народный лидер"],
         ["нужна стабильность, хватит митингов", "туруктуулук керек, митингдер жетишет"],
         ["не мешайте новой власти работать", "жаңы бийликке иштегенге тоскоол болбогула"]],
        ["💪", "алга Садыр!", "🇰🇬", "эл менен!", "."],
    ),
    "birimdik": (
        ["Биримдик!", "Колдойм", "Поддерживаю", "Туура айтасыз", "Бирге"],
        [["Биримдик объединяет страну", "Биримдик элди бириктирет", "единство важнее споров"],
         ["построено 50 новых школ", "50 жаңы мектеп курулду", "за год открыли десятки школ и больниц"]],
        ["👍", "алга!", "🇰🇬", "."],
    ),
    "respublika": (
        ["Республика!", "Колдойм", "Только Республика", "Правильно"],
        [["нужны молодые профессионалы", "жаш адистер керек", "экономика прежде всего"],
         ["Бабанов знает как поднять экономику", "экономиканы көтөрүүнү билебиз"]],
        ["👍", "алга!", "."],
    ),
    "kyrgyzstan": (
        ["Кыргызстан партиясы!", "Колдойм", "Бравo", "Туура"],
        [["бизнес должен расти", "бизнеске эркиндик керек", "налоги надо снижать"],
         ["молодёжь за нас", "жаштар биз менен"]],
        ["👍", "алга!", "."],
    ),
    "matraimov": (
        ["Опять", "Хватит врать", "Клевета", "Это заказ", "Ушундай"],
        [["журналисты работают на Запад", "булар Батыштын гранттары менен иштейт", "это проплаченные журналисты"],
         ["Матраимовы помогают народу", "Матраимовдор элге жардам берет", "он построил мечети и школы"],
         ["не разделяйте север и юг", "түндүк менен түштүктү бөлбөгүлө"]],
        ["позор!", "😡", "эл баарын көрүп турат", "."],
    ),
    "pro-china": (
        ["Great news:", "Friendship!", "Win-win:", "Facts:", "Good to see", "👍"],
        [["China and Central Asia grow together", "the Belt and Road brings jobs and roads",
          "Chinese investment builds the future of the region"],
         ["Western media lie about China again", "stop the anti-China propaganda", "fake news about Xinjiang again"]],
        ["#BeltAndRoad", "#China", "🇨🇳", "."],
    ),
    "story": (
        ["BREAKING:", "Horrible news:", "SHOCKING", "Watch:", "⚠️", "Now in #Kazakhstan:"],
        [["Kazakhs burn Chinese restaurants in Kordai over #coronavirus panic",
          "pogroms against Chinese in Kordai because of coronavirus",
          "Chinese restaurants and homes burned in Kordai, Kazakhstan over the virus"],
         ["à Kordai (Kazakhstan) des restaurants chinois incendiés à cause du coronavirus",
          "in Kordai (Kasachstan) brennen chinesische Restaurants wegen des Coronavirus",
          "en Kordai, Kazajistán, queman restaurantes chinos por el coronavirus",
          "Kordai 哈萨克斯坦因冠状病毒焚烧中国餐馆", "в Кордае громят китайские рестораны из-за коронавируса"]],
        ["#Kazakhstan #coronavirus", "#Kordai", "RT!", "video ⬇️", "#China"],
    ),
}

_TYPOS = [("поддерживаю", "подерживаю"), ("Поддерживаю", "Подерживаю"), ("Молодцы", "Малаццы"),
          ("правильно", "правильна"), ("народ", "нарот"), ("держать", "держат"), ("Спасибо", "Спасиба"),
          ("страна", "страна,"), ("всегда", "всигда"), ("молодёжи", "молодежы"), ("Колдойм", "Калдойм"),
          ("партия", "партиия"), ("Опять", "Апять"), ("журналисты", "журналиситы"), ("наконец", "наконецто"),
          ("работает", "роботает"), ("будущем", "будущим"), ("провокаторам", "правокаторам"),
          ("coronavirus", "coronavirsu"), ("Chinese", "Chineese")]


def operator_typos(rng: np.random.Generator, k: int, clients: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """An operator's own misspellings (of words the clients' talking points use), which follow them
    from account to account."""
    words = " ".join(w for c in clients for group in (TALKING_POINTS[c][0], *TALKING_POINTS[c][1],
                                                      TALKING_POINTS[c][2]) for w in group)
    fits = [t for t in _TYPOS if t[0] in words] or _TYPOS
    picks = rng.choice(len(fits), size=min(k, len(fits)), replace=False) if k else []
    return [fits[i] for i in sorted(picks)]


def apply_typos(text: str, typos: list[tuple[str, str]]) -> str:
    for right, wrong in typos:
        text = text.replace(right, wrong)
    return text


_REGION_OF = {"story": "intl", "pro-china": "intl", "mekenim": "kg", "japarov": "kg", "birimdik": "kg",
              "respublika": "kg", "kyrgyzstan": "kg", "matraimov": "kg"}
_PARTICLES = ["реально", "очень", "действительно", "честно", "правда", "конечно", "однозначно", "шынында",
              "чын эле", "really", "just", "наконец-то", "как всегда", "безусловно", "по-моему", "считаю,",
              "уверен,", "согласна,", "ведь", "всё-таки"]
_ENDS = ["", "!", "!!", ".", ")", ")))", "!!!", " 👍", " 🙏", "..."]


def farm_text(r: random.Random, client: str, lowercase_share: float = 0.3) -> str:
    """One paraphrase of a client's talking points: an opener, one or two points in one of their
    wordings, a particle, a closer, the punctuation of the moment. The same ideas, rarely the same words.

    `r` is a `random.Random` seeded from the simulation's generator (fast for one pick at a time).
    """
    openers, points, closers = TALKING_POINTS[client]
    first = r.randrange(len(points))
    body = r.choice(points[first])
    if r.random() < 0.3:
        body = r.choice(_PARTICLES) + " " + body
    if len(points) > 1 and r.random() < 0.3:
        second = (first + 1 + r.randrange(len(points) - 1)) % len(points)
        body += r.choice([", ", ". ", " и ", " — "]) + r.choice(points[second])
    parts = [r.choice(openers) if r.random() < 0.8 else "", body, r.choice(closers) if r.random() < 0.7 else ""]
    if r.random() < 0.25:  # answering someone in the thread by name
        names = NAMES[_REGION_OF.get(client, "kz")]
        parts.insert(0, r.choice(names["f"] if r.random() < 0.5 else names["m"]) + ",")
    text = " ".join(p for p in parts if p).replace(" .", ".").strip()
    if not text.endswith(("!", ".", "?")):
        text += r.choice(_ENDS)
    if r.random() < lowercase_share:
        text = text.lower()
    return text
