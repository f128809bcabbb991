"""Neutral English and Russian descriptions written for the demo (not quotations).

Each line describes what a post does ("[synthetic] announcement of ..."); none imitates
propaganda rhetoric, slogans or calls to action. Slots are filled by ``fill``.
"""

from __future__ import annotations

import random
from collections.abc import Callable

# (genre, theme) -> language -> templates
TEMPLATES: dict[tuple[str, str | None], dict[str, list[str]]] = {
    ("official_propaganda", "media_release_announcement"): {
        "en": [
            "[synthetic] Announcement of part {part} of {a_lang}-language audio series by "
            "{outlet}; the post lists only the file name and its length.",
            "[synthetic] Release notice: {outlet} lists {a_lang}-language booklet (PDF) and "
            "its page count.",
            "[synthetic] Announcement of a short video release by {outlet} with subtitles in "
            "{lang}.",
        ]
    },
    ("official_propaganda", "glorification_of_a_figure"): {
        "en": [
            "[synthetic] Post praising the invented songwriter {figure}; it names a new track and "
            "nothing else.",
        ]
    },
    ("official_propaganda", "polemic_against_rival"): {
        "en": [
            "[synthetic] Post criticising {rival} (an invented movement) as nationalist; "
            "summarised here, not quoted.",
        ]
    },
    ("official_propaganda", "religious_instruction"): {
        "en": [
            "[synthetic] Post presenting a short religious lesson; the demo replaces its content "
            "with this description.",
        ]
    },
    ("official_propaganda", "recruitment_call"): {
        "en": [
            "[synthetic] Placeholder for a post of the recruitment-call type; no wording of such a "
            "call is reproduced.",
        ]
    },
    ("official_propaganda", "attack_claim"): {
        "en": [
            "[synthetic] Placeholder for an attack-claim-type post about an incident reported near "
            "{place}; no details are given.",
        ]
    },
    ("supporter_amplification", "media_release_announcement"): {
        "en": [
            "[synthetic] Supporter post re-sharing a release by {outlet}; it adds only the hashtag "
            "{tag}.",
        ]
    },
    ("news_reporting", None): {
        "en": [
            "[synthetic] News report: officials in {place} describe a recruitment case linked to "
            "online material in {lang}.",
            "[synthetic] News report: authorities in {place} say channels linked to {outlet} "
            "have begun posting in {lang}.",
            "[synthetic] News report: a court in {place} hears a case about sharing audio files "
            "attributed to {outlet}.",
            "[synthetic] News report: monitors count {n} releases tagged {tag} this month, most "
            "of them in {lang}.",
            "[synthetic] News report: after the channel of {outlet} went silent, a look-alike "
            "channel with a similar title appeared, according to monitors.",
            "[synthetic] News report: security officials in {place} estimate the group's strength "
            "at about {strength} fighters; the figure cannot be verified.",
            "[synthetic] News report: community leaders in {place} discuss a songwriter promoted "
            "by {outlet}.",
            "[synthetic] News report: {n} alleged attacks near {place} were reported this month; "
            "several remain unattributed.",
            "[synthetic] News report: teachers in {place} describe a prevention programme for "
            "young people.",
            "[synthetic] News report: Urdu- and Hindi-language relays re-shared audio first "
            "posted by {outlet}, monitors say.",
            "[synthetic] News report: a channel calling itself {outlet_b} re-shared releases "
            "tagged {tag}, monitors say.",
        ],
        "ru": [
            "[synthetic] Новости. {place}: официальные лица рассказали о случае вербовки через "
            "интернет.",
            "[synthetic] Новости. {place}: по данным властей, каналы, связанные с проектом "
            "«{outlet}», начали публиковать материалы на языке: {lang_ru}.",
            "[synthetic] Новости. {place}: суд рассматривает дело о распространении аудиозаписей.",
            "[synthetic] Новости: канал «{outlet_b}» распространяет выпуски с хештегом {tag}.",
            "[synthetic] Новости: после закрытия канала «{outlet}» появился похожий канал с "
            "почти тем же названием.",
            "[synthetic] Новости: эксперты оценивают численность группировки примерно в {strength} "
            "человек; проверить эту цифру невозможно.",
            "[synthetic] Новости. {place}: учителя рассказали о программе профилактики для "
            "молодёжи.",
            "[synthetic] Новости: в этом месяце сообщалось о нападениях ({n}); часть из них не "
            "удалось атрибутировать. Регион: {place}.",
        ],
    },
    ("research_analysis", None): {
        "en": [
            "[synthetic] Analysis: how outreach in the {place} area shifted between languages "
            "over recent months.",
            "[synthetic] Analysis: release hashtags such as {tag} help trace re-posted files "
            "across channels.",
            "[synthetic] Analysis: why look-alike channels reappear after takedowns, and how "
            "monitors match their media files.",
            "[synthetic] Analysis: the role of Urdu- and Hindi-language relays in spreading "
            "material first posted in Central Asia.",
            "[synthetic] Analysis: attribution of alleged attacks near {place} remains "
            "uncertain; three sources are compared.",
            "[synthetic] Analysis: a new report (PDF) on audio series in {lang} and their "
            "audiences.",
        ],
        "ru": [
            "[synthetic] Аналитика: как менялись языки публикаций в регионе {place} за последние "
            "месяцы.",
            "[synthetic] Аналитика: почему каналы-двойники появляются после блокировок и как их "
            "находят по медиафайлам.",
            "[synthetic] Аналитика: роль ретрансляторов на урду и хинди.",
        ],
    },
    ("counter_narrative", None): {
        "en": [
            "[synthetic] Counter-narrative: former students from {place} talk about returning "
            "to their studies and families.",
            "[synthetic] Counter-narrative: a community radio programme in {lang} answers "
            "questions about online recruitment.",
            "[synthetic] Counter-narrative: a helpline for families in {place} who are worried "
            "about a relative.",
        ],
        "ru": [
            "[synthetic] Контрнарратив: семьи из региона {place} рассказывают о программах "
            "поддержки.",
            "[synthetic] Контрнарратив: выпускники школ делятся планами на учёбу и работу.",
        ],
    },
    ("unrelated", None): {
        "en": [
            "[synthetic] Unrelated chatter: does anyone know when the bus to {place} leaves "
            "tomorrow?",
            "[synthetic] Unrelated chatter: the weather in {place} is mild today.",
            "[synthetic] Unrelated chatter: sharing a photo from the weekend market.",
            "[synthetic] Unrelated chatter: congratulations on the new job!",
            "[synthetic] Unrelated chatter: reminder about the family dinner on Friday.",
            "[synthetic] Unrelated chatter: which phone plan works best for calls abroad?",
        ],
        "ru": [
            "[synthetic] Болтовня: кто знает, когда завтра автобус? Направление: {place}.",
            "[synthetic] Болтовня: сегодня тёплая погода.",
            "[synthetic] Болтовня: поздравляю с новой работой!",
            "[synthetic] Болтовня: напоминаю про ужин в пятницу.",
        ],
    },
}

LANG_RU = {
    "uz": "узбекский",
    "tg": "таджикский",
    "ky": "киргизский",
    "ru": "русский",
    "ur": "урду",
    "hi": "хинди",
    "en": "английский",
}


def choose(
    genre: str,
    theme: str | None,
    lang: str,
    rng: random.Random,
    allow: Callable[[int, str], bool] = lambda _i, _t: True,
) -> tuple[int, str]:
    """A template (its index and text) for a genre/theme in ``lang`` (en or ru)."""
    options = [(i, t) for i, t in enumerate(TEMPLATES[(genre, theme)][lang]) if allow(i, t)]
    if not options:
        raise ValueError(f"no usable template for {genre}/{theme}/{lang}")
    return options[rng.randrange(len(options))]


def fill(template: str, slots: dict[str, str]) -> str:
    return template.format(**slots)
