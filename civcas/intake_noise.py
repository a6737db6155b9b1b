"""The error classes of real intake, as small seeded functions (used by ``civcas simulate-intake``).

Issue 13 lists what real intake looks like: transliteration variants, Arabic script,
coarser or qualified places, dates written late, off by one or to the month, late claims,
missing or coarse points and points labelled finer than they are, blame written as
"unknown", as another name of the same military or as a co-belligerent, the same outlet
reporting twice, and figures that disagree. Each class here is one function
``(claim, rng) -> claim | None``: it returns the changed claim, or None when the class
does not apply to this claim (a place with no article has no article to change).

:data:`NOISE_RATES` holds, for every class, the probability that it hits a claim at each
level (``none``, ``easy``, ``realistic``, ``hard``). At ``none`` every rate is 0: the claim
is the incident as the archive records it. ``easy`` is a little noise, ``realistic`` about
what the issue describes in real intake, ``hard`` heavy. :func:`apply_noise` draws one
uniform number per class from a generator seeded by the claim alone, whatever the level,
and hits the class when the number is below the level's rate; the class function then
draws from its own generator seeded by the claim and the class. So a claim's noise at
``hard`` includes its noise at ``realistic``, which includes ``easy``'s, and a claim's noise
never depends on another claim. Every claim records the classes that changed it.

The tables below (article forms, spelling pairs, Arabic letters, governorate names and
centroids, belligerent names) are written here, independently of the warehouse's seeds:
the simulator must not know what the warehouse resolves.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

LEVELS = ("none", "easy", "realistic", "hard")


@dataclass(frozen=True)
class Claim:
    """One claim's fields as the simulator writes them, plus the incident context the classes read."""

    incident_date: str                 # YYYY-MM-DD, or YYYY-MM when only the month is given
    date_reported: str                 # YYYY-MM-DD
    place: str                         # place as written
    governorate: str                   # governorate as written
    latitude: float | None
    longitude: float | None
    precision: str                     # geolocation precision as written ('' when no point)
    belligerents: str                  # belligerents as written, ', '-separated
    killed_min: int | None
    killed_max: int | None
    injured_min: int | None
    injured_max: int | None
    # context, never written as such
    true_date: dt.date = dt.date(2000, 1, 1)
    place_arabic: str = ""             # the archive's Arabic name of the place, when it has one
    governorate_key: str | None = None  # canonical governorate (GOVERNORATES), when known
    classes: tuple[str, ...] = field(default=())


NoiseFunction = Callable[[Claim, random.Random], "Claim | None"]
EARTH_RADIUS_KM = 6371.0088


# --------------------------------------------------------------------------- tables

# canonical governorate -> (English name, Arabic spellings, centroid latitude, longitude)
GOVERNORATES: dict[str, tuple[str, tuple[str, ...], float, float]] = {
    "aleppo": ("Aleppo", ("حلب",), 36.25, 37.55),
    "idlib": ("Idlib", ("إدلب", "ادلب"), 35.75, 36.60),
    "raqqa": ("Raqqa", ("الرقة", "الرقه"), 35.90, 38.80),
    "deir_ezzor": ("Deir Ezzor", ("دير الزور", "ديرالزور"), 35.10, 40.30),
    "hasakah": ("Hasakah", ("الحسكة", "الحسكه"), 36.55, 40.90),
    "hama": ("Hama", ("حماة", "حماه"), 35.20, 36.95),
    "homs": ("Homs", ("حمص",), 34.55, 37.90),
    "damascus": ("Damascus", ("دمشق",), 33.51, 36.29),
    "rif_dimashq": ("Rif Dimashq", ("ريف دمشق",), 33.55, 36.70),
    "daraa": ("Daraa", ("درعا",), 32.80, 36.20),
    "suwayda": ("Suwayda", ("السويداء",), 32.75, 36.70),
    "quneitra": ("Quneitra", ("القنيطرة",), 33.10, 35.85),
    "latakia": ("Latakia", ("اللاذقية",), 35.60, 35.95),
    "tartus": ("Tartus", ("طرطوس",), 34.90, 36.05),
}

# the archive's governorate spellings (lower case, whitespace collapsed) -> canonical governorate
GOVERNORATE_SPELLINGS: dict[str, str] = {
    "aleppo": "aleppo", "idlib": "idlib", "idlib governorate": "idlib", "raqqa": "raqqa", "ar raqqah": "raqqa",
    "raqqa governorate": "raqqa", "ar raqqa": "raqqa", "deir ezzor": "deir_ezzor", "deir ez-zor": "deir_ezzor",
    "hasakah": "hasakah", "al hassakah": "hasakah", "al-hasakah": "hasakah", "al-hassakah": "hasakah",
    "al hasakah": "hasakah", "hasakah governorate": "hasakah", "al hasaka": "hasakah", "hama": "hama",
    "hama governorate": "hama", "homs": "homs", "damascus": "damascus", "rif dimashq": "rif_dimashq",
    "damascus countryside": "rif_dimashq", "daraa": "daraa", "daraa governorate": "daraa",
    "al suwayda": "suwayda", "al-suwayda": "suwayda", "quneitra": "quneitra", "latakia": "latakia",
    "tartous": "tartus", "tartus": "tartus",
}

# belligerent as the archive writes it (lower case) -> canonical key
BELLIGERENT_KEYS: dict[str, str] = {
    "russian military": "russia", "u.s.-led coalition": "coalition", "turkish military": "turkey",
    "ypg": "ypg", "israeli military": "israel", "iranian military": "iran", "jordanian military": "jordan",
}
# other names of the same military, as reports write them
BELLIGERENT_OTHER_NAMES: dict[str, tuple[str, ...]] = {
    "russia": ("Russian Air Force", "Russian warplanes", "Russian jets", "RuAF", "Russia", "Russian aircraft",
               "الطيران الروسي", "Russian forces"),
    "coalition": ("CJTF-OIR", "US-led coalition", "International Coalition", "Coalition aircraft",
                  "American warplanes", "US forces", "طيران التحالف", "Operation Inherent Resolve"),
    "turkey": ("Turkish Air Force", "Turkish army", "Turkish drone", "TAF", "Turkey", "الطيران التركي"),
    "ypg": ("SDF", "Kurdish forces", "YPG/SDF", "PYD"),
    "israel": ("IDF", "Israeli Air Force", "Israeli warplanes", "Israel"),
    "iran": ("IRGC", "Iranian militias", "Iran"),
    "jordan": ("Royal Jordanian Air Force", "Jordan"),
}
# a co-belligerent reports blame instead: the regime for Russia, the FSA/SNA for Turkey
CO_BELLIGERENT_NAMES: dict[str, tuple[str, ...]] = {
    "russia": ("Syrian regime", "Syrian Arab Air Force", "regime warplanes", "طيران النظام", "Assad regime"),
    "turkey": ("FSA", "SNA", "Syrian National Army", "Turkish-backed factions", "Free Syrian Army"),
    "coalition": ("SDF", "Syrian Democratic Forces"),
    "iran": ("Syrian regime", "Hezbollah"),
    "ypg": ("U.S.-led Coalition",),
}
UNKNOWN_SPELLINGS = ("unknown", "Unknown", "UNKNOWN", "unidentified aircraft", "unidentified warplanes",
                     "مجهول", "طيران مجهول", "not known", "unclear", "n/a")

ARTICLE = re.compile(r"^(?:al|el|ar|as|ash|ad|at|az|an|ul)(?:[- ']|(?=[A-Z]))", re.IGNORECASE)
SUN_LETTER_ARTICLES = {"t": "at", "th": "ath", "d": "ad", "dh": "adh", "r": "ar", "z": "az", "s": "as",
                       "sh": "ash", "n": "an"}
ARTICLE_FORMS = ("Al-", "al-", "Al ", "al ", "El-", "el ", "Al")

# whole-word spelling pairs of common place words; each word maps to its other forms
PREFIX_WORDS: dict[str, tuple[str, ...]] = {
    "kafr": ("Kfar", "Kfr", "Kafer"), "kfar": ("Kafr", "Kfr"), "tal": ("Tell", "Tel"), "tell": ("Tal", "Tel"),
    "tel": ("Tal", "Tell"), "ain": ("Ayn", "Ein", "Ayin"), "ayn": ("Ain", "Ein"), "ein": ("Ain", "Ayn"),
    "deir": ("Dayr", "Dair", "Der"), "dayr": ("Deir", "Dair"), "jisr": ("Jisser", "Jesr"),
    "khirbet": ("Khirbat", "Kherbet"), "khirbat": ("Khirbet",), "beit": ("Bayt", "Bait"), "bayt": ("Beit",),
    "abu": ("Abou", "Abo"), "sheikh": ("Shaikh", "Shaykh", "Sheik"), "maarat": ("Maarrat", "Ma'arat"),
    "jabal": ("Jebel", "Jabel"), "jebel": ("Jabal",), "qasr": ("Kasr",), "hay": ("Hayy", "Hai"),
}
VOWEL_SWAPS = (("ou", "u"), ("oo", "u"), ("ee", "i"), ("ei", "ee"), ("aa", "a"), ("ay", "ai"), ("u", "ou"),
               ("i", "ee"), ("e", "i"), ("i", "e"), ("a", "e"), ("o", "u"))
QUALIFIERS = ("{} countryside", "outskirts of {}", "near {}", "{} outskirts", "eastern countryside of {}",
              "{} southern countryside", "villages around {}")

# Latin -> Arabic letters, longest first, for a place the archive gives no Arabic name for
LATIN_TO_ARABIC = (
    ("sh", "ش"), ("kh", "خ"), ("gh", "غ"), ("th", "ث"), ("dh", "ذ"), ("ou", "و"), ("oo", "و"), ("ee", "ي"),
    ("ei", "ي"), ("ai", "اي"), ("ay", "اي"), ("aa", "ا"), ("a", "ا"), ("b", "ب"), ("t", "ت"), ("j", "ج"),
    ("h", "ح"), ("d", "د"), ("r", "ر"), ("z", "ز"), ("s", "س"), ("f", "ف"), ("q", "ق"), ("k", "ك"),
    ("l", "ل"), ("m", "م"), ("n", "ن"), ("w", "و"), ("y", "ي"), ("i", "ي"), ("u", "و"), ("o", "و"),
    ("e", ""), ("g", "ج"), ("p", "ب"), ("v", "ف"), ("c", "ك"), ("x", "كس"), ("'", "ع"), ("-", ""), (" ", " "),
)

# precision labels finer than the truth, as the archive writes them
FINE_PRECISIONS = ("exact_location", "within_100m", "neighbourhood_area", "village")
# jitter radius (km) within the stated precision; None: an area centroid, never moved
JITTER_KM: dict[str, float | None] = {
    "exact_location": 0.1, "exact_location_other": 0.1, "exact_location_coalition": 0.1, "within_100m": 0.1,
    "within_1m": 0.01, "street": 0.1, "nearby_landmark": 0.1, "neighbourhood_area": 1.0, "village": 2.0,
    "town": 5.0, "city": 10.0, "subdistrict": None, "district": None, "province_governorate": None,
}


# --------------------------------------------------------------------------- helpers


def canonical_governorate(written: str) -> str | None:
    """The canonical governorate of an archive spelling, or None when it is not one Syrian governorate."""
    return GOVERNORATE_SPELLINGS.get(re.sub(r"\s+", " ", written).strip().lower())


def to_arabic_script(latin: str) -> str:
    """A Latin place name written back in Arabic letters, roughly (the article as ال)."""
    text = ARTICLE.sub("ال", latin.strip()).lower()
    out, k = [], 0
    while k < len(text):
        for letters, arabic in LATIN_TO_ARABIC:
            if text.startswith(letters, k):
                out.append(arabic)
                k += len(letters)
                break
        else:
            out.append(text[k])
            k += 1
    return "".join(out)


def move_point(lat: float, lon: float, distance_km: float, bearing: float) -> tuple[float, float]:
    """The point `distance_km` from (lat, lon) towards `bearing` (radians), on the sphere."""
    delta = distance_km / EARTH_RADIUS_KM
    phi1, lambda1 = math.radians(lat), math.radians(lon)
    phi2 = math.asin(math.sin(phi1) * math.cos(delta) + math.cos(phi1) * math.sin(delta) * math.cos(bearing))
    lambda2 = lambda1 + math.atan2(math.sin(bearing) * math.sin(delta) * math.cos(phi1),
                                   math.cos(delta) - math.sin(phi1) * math.sin(phi2))
    return round(math.degrees(phi2), 6), round((math.degrees(lambda2) + 540) % 360 - 180, 6)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text if len(text) == 10 else f"{text}-01")


def _with_dates(claim: Claim, incident: dt.date | str, reported: dt.date | None = None) -> Claim:
    """The claim with a new incident date; the report date never falls before it."""
    written = incident if isinstance(incident, str) else incident.isoformat()
    posted = max(reported or _date(claim.date_reported), _date(written))
    return replace(claim, incident_date=written, date_reported=posted.isoformat())


def _swap_case_like(original: str, replacement: str) -> str:
    return replacement.capitalize() if original[:1].isupper() else replacement.lower()


def _belligerent_keys(written: str) -> list[str]:
    return [BELLIGERENT_KEYS[name] for name in (n.strip().lower() for n in written.split(","))
            if name in BELLIGERENT_KEYS]


# --------------------------------------------------------------------------- dates


def date_posted_late(claim: Claim, rng: random.Random) -> Claim | None:
    """The posting date written as the event date: 1 to 3 days after the incident."""
    posted = claim.true_date + dt.timedelta(days=rng.randint(1, 3))
    return _with_dates(claim, posted, posted)


def date_off_by_one(claim: Claim, rng: random.Random) -> Claim | None:
    """The incident date one day off, either way."""
    if len(claim.incident_date) != 10:
        return None
    return _with_dates(claim, _date(claim.incident_date) + dt.timedelta(days=rng.choice((-1, 1))))


def date_month_only(claim: Claim, rng: random.Random) -> Claim | None:
    """Only the month of the incident is given (YYYY-MM)."""
    return _with_dates(claim, claim.true_date.strftime("%Y-%m"))


def date_late_claim(claim: Claim, rng: random.Random) -> Claim | None:
    """A late claim: reported 1 to 9 months after the incident (the incident date stays)."""
    return replace(claim, date_reported=(claim.true_date + dt.timedelta(days=rng.randint(30, 270))).isoformat())


# --------------------------------------------------------------------------- places


def place_coarser(claim: Claim, rng: random.Random) -> Claim | None:
    """The city's or governorate's name instead of the place ("Sukkari, Aleppo" written as "Aleppo")."""
    parts = [p.strip() for p in re.split(r"[,(]", claim.place.replace(")", "")) if p.strip()]
    options = parts[1:]
    if claim.governorate_key:
        options.append(GOVERNORATES[claim.governorate_key][0])
    elif claim.governorate.strip():
        options.append(claim.governorate.strip())
    options = [o for o in options if o.lower() != claim.place.strip().lower()]
    return replace(claim, place=rng.choice(options)) if options else None


def place_qualified(claim: Claim, rng: random.Random) -> Claim | None:
    """A qualified place: "X countryside", "outskirts of X", "near X"."""
    if not claim.place.strip():
        return None
    return replace(claim, place=rng.choice(QUALIFIERS).format(claim.place.strip()))


def place_missing(claim: Claim, rng: random.Random) -> Claim | None:
    """No place at all."""
    return replace(claim, place="") if claim.place else None


def place_arabic(claim: Claim, rng: random.Random) -> Claim | None:
    """The place in Arabic script: the archive's Arabic name, else the Latin name written back."""
    if not claim.place.strip():
        return None
    if claim.place_arabic.strip() and rng.random() < 0.8:
        return replace(claim, place=claim.place_arabic.strip())
    return replace(claim, place=to_arabic_script(claim.place.split(",")[0]))


def place_article(claim: Claim, rng: random.Random) -> Claim | None:
    """The Arabic article written another way: al-/el-/ar-/as-/ash-, assimilated, joined, dropped or added."""
    name = claim.place.strip()
    if not name or not name[0].isascii():
        return None
    match = ARTICLE.match(name)
    if match:
        rest = name[match.end():]
        first = rest[:2].lower() if rest[:2].lower() in SUN_LETTER_ARTICLES else rest[:1].lower()
        assimilated = SUN_LETTER_ARTICLES.get(first)
        options = [rest, *(form + rest for form in ARTICLE_FORMS)]
        if assimilated:
            options += [f"{assimilated.capitalize()}-{rest}", f"{assimilated}-{rest}"]
    else:
        options = [form + name for form in ARTICLE_FORMS]
    options = [o for o in options if o != name]
    return replace(claim, place=rng.choice(options)) if options else None


def _swap_in_words(name: str, rng: random.Random, swaps: tuple[tuple[str, str], ...]) -> str | None:
    candidates = [(k, a, b) for a, b in swaps for k in _positions(name.lower(), a)]
    if not candidates:
        return None
    k, a, b = rng.choice(candidates)
    replacement = b if not name[k:k + 1].isupper() else b.capitalize()
    return name[:k] + replacement + name[k + len(a):]


def _positions(text: str, part: str) -> list[int]:
    # inside a word and after its first letter: a vowel change, not a new word
    return [m.start() for m in re.finditer(re.escape(part), text) if m.start() > 0 and text[m.start() - 1].isalpha()]


def place_vowels(claim: Claim, rng: random.Random) -> Claim | None:
    """Vowels transliterated another way: ou/u, ee/i/ei, Saraqeb/Saraqib, Ma'arret/Ma'arrat."""
    if not claim.place.strip() or not claim.place.strip()[0].isascii():
        return None
    changed = _swap_in_words(claim.place, rng, VOWEL_SWAPS)
    return replace(claim, place=changed) if changed and changed != claim.place else None


def place_consonants(claim: Claim, rng: random.Random) -> Claim | None:
    """A doubled consonant written single, or a single one doubled (Arriha/Ariha)."""
    name = claim.place
    if not name.strip() or not name.strip()[0].isascii():
        return None
    doubled = [m.start() for m in re.finditer(r"([b-df-hj-np-tv-z])\1", name, re.IGNORECASE)]
    singles = [m.start() for m in re.finditer(r"(?<=[aeiou])([bdfjklmnqrstz])(?=[aeiou])", name)]
    options = [name[:k] + name[k + 1:] for k in doubled] + [name[:k + 1] + name[k] + name[k + 1:] for k in singles]
    return replace(claim, place=rng.choice(options)) if options else None


def place_joined(claim: Claim, rng: random.Random) -> Claim | None:
    """Hyphens, apostrophes or the article's space dropped ("AlBab", "Maarat"), or a hyphen added."""
    name = claim.place
    if not name.strip() or not name.strip()[0].isascii():
        return None
    options = []
    if "-" in name or "'" in name or "’" in name:
        options.append(re.sub(r"[-'’]", "", name))
        options.append(re.sub(r"[-'’]", " ", name).replace("  ", " "))
    if ARTICLE.match(name) and " " in name[:4]:
        options.append(name.replace(" ", "", 1))
    if " " in name.strip():
        options.append(name.strip().replace(" ", "-", 1))
    options = [o for o in options if o != name]
    return replace(claim, place=rng.choice(options)) if options else None


def place_prefix_word(claim: Claim, rng: random.Random) -> Claim | None:
    """A common place word spelled another way: Kafr/Kfar, Tal/Tell, Ain/Ayn, Deir/Dayr, Jisr/Jisser."""
    words = re.split(r"(\W+)", claim.place)
    positions = [k for k, word in enumerate(words) if word.lower() in PREFIX_WORDS]
    if not positions:
        return None
    k = rng.choice(positions)
    words[k] = _swap_case_like(words[k], rng.choice(PREFIX_WORDS[words[k].lower()]))
    return replace(claim, place="".join(words))


def governorate_arabic(claim: Claim, rng: random.Random) -> Claim | None:
    """The governorate in Arabic script."""
    if claim.governorate_key is None:
        return None
    return replace(claim, governorate=rng.choice(GOVERNORATES[claim.governorate_key][1]))


# --------------------------------------------------------------------------- points


def point_jitter(claim: Claim, rng: random.Random) -> Claim | None:
    """The point moved within its stated precision (a different report's pin for the same place)."""
    if claim.latitude is None or claim.longitude is None:
        return None
    radius = JITTER_KM.get(claim.precision, 10.0)
    if radius is None:
        return None
    lat, lon = move_point(claim.latitude, claim.longitude, radius * math.sqrt(rng.random()),
                          rng.uniform(0, 2 * math.pi))
    return replace(claim, latitude=lat, longitude=lon)


def point_missing(claim: Claim, rng: random.Random) -> Claim | None:
    """No coordinates."""
    if claim.latitude is None and claim.longitude is None:
        return None
    return replace(claim, latitude=None, longitude=None, precision="")


def _centroid(claim: Claim) -> tuple[float, float] | None:
    if claim.governorate_key is not None:
        _, _, lat, lon = GOVERNORATES[claim.governorate_key]
        return lat, lon
    if claim.latitude is None or claim.longitude is None:
        return None
    nearest = min(GOVERNORATES.values(), key=lambda g: distance_km(g[2], g[3], claim.latitude, claim.longitude))
    return nearest[2], nearest[3]


def point_centroid(claim: Claim, rng: random.Random) -> Claim | None:
    """The governorate's centroid, labelled as a governorate point."""
    centroid = _centroid(claim)
    if centroid is None:
        return None
    return replace(claim, latitude=centroid[0], longitude=centroid[1], precision="province_governorate")


def point_town_offset(claim: Claim, rng: random.Random) -> Claim | None:
    """A town point a few km off (2 to 8 km), labelled town."""
    if claim.latitude is None or claim.longitude is None:
        return None
    lat, lon = move_point(claim.latitude, claim.longitude, rng.uniform(2, 8), rng.uniform(0, 2 * math.pi))
    return replace(claim, latitude=lat, longitude=lon, precision="town")


def point_false_precision(claim: Claim, rng: random.Random) -> Claim | None:
    """A point labelled finer than it is: 1 to 6 km off (or the governorate centroid), labelled exact or village."""
    label = rng.choice(FINE_PRECISIONS)
    if claim.latitude is None or claim.longitude is None or rng.random() < 0.25:
        centroid = _centroid(claim)
        return None if centroid is None else replace(claim, latitude=centroid[0], longitude=centroid[1],
                                                     precision=label)
    lat, lon = move_point(claim.latitude, claim.longitude, rng.uniform(1, 6), rng.uniform(0, 2 * math.pi))
    return replace(claim, latitude=lat, longitude=lon, precision=label)


# --------------------------------------------------------------------------- blame


def blame_unknown(claim: Claim, rng: random.Random) -> Claim | None:
    """Blame not given: "unknown" in one of several spellings, Arabic included."""
    return replace(claim, belligerents=rng.choice(UNKNOWN_SPELLINGS))


def blame_other_name(claim: Claim, rng: random.Random) -> Claim | None:
    """Another name for the same military ("Russian Air Force", "CJTF-OIR")."""
    keys = _belligerent_keys(claim.belligerents)
    if not keys:
        return None
    return replace(claim, belligerents=", ".join(rng.choice(BELLIGERENT_OTHER_NAMES[k]) for k in keys))


def blame_co_belligerent(claim: Claim, rng: random.Random) -> Claim | None:
    """A co-belligerent blamed instead (the Syrian regime for Russia, the FSA or SNA for Turkey)."""
    keys = [k for k in _belligerent_keys(claim.belligerents) if k in CO_BELLIGERENT_NAMES]
    if not keys:
        return None
    return replace(claim, belligerents=rng.choice(CO_BELLIGERENT_NAMES[rng.choice(keys)]))


# --------------------------------------------------------------------------- figures


def figures_disagree(claim: Claim, rng: random.Random) -> Claim | None:
    """Figures that disagree: off by up to half, "at least N", or not given."""
    if claim.killed_min is None and claim.injured_min is None:
        return None
    choice = rng.random()
    if choice < 0.25:
        return replace(claim, killed_min=None, killed_max=None, injured_min=None, injured_max=None)
    if choice < 0.5 and claim.killed_min is not None:
        return replace(claim, killed_max=None)  # "at least N"

    def shifted(value: int | None) -> int | None:
        if value is None:
            return None
        return max(0, value + rng.choice((-1, 1)) * max(1, round(value * rng.uniform(0.1, 0.5))))

    killed, injured = shifted(claim.killed_min), shifted(claim.injured_min)
    return replace(claim, killed_min=killed, killed_max=killed, injured_min=injured, injured_max=injured)


# --------------------------------------------------------------------------- the table

# class -> (function, {level: rate}); applied in this order. source_repeat is applied by the
# simulator (it adds a claim rather than changing one) and has no function here.
def _rates(easy: float, realistic: float, hard: float) -> dict[str, float]:
    return dict(zip(LEVELS, (0.0, easy, realistic, hard), strict=False))


NOISE_CLASSES: dict[str, NoiseFunction] = {
    "date_posted_late": date_posted_late,
    "date_off_by_one": date_off_by_one,
    "date_month_only": date_month_only,
    "date_late_claim": date_late_claim,
    "place_coarser": place_coarser,
    "place_qualified": place_qualified,
    "place_missing": place_missing,
    "place_arabic": place_arabic,
    "place_article": place_article,
    "place_vowels": place_vowels,
    "place_consonants": place_consonants,
    "place_joined": place_joined,
    "place_prefix_word": place_prefix_word,
    "governorate_arabic": governorate_arabic,
    "point_jitter": point_jitter,
    "point_missing": point_missing,
    "point_centroid": point_centroid,
    "point_town_offset": point_town_offset,
    "point_false_precision": point_false_precision,
    "blame_unknown": blame_unknown,
    "blame_other_name": blame_other_name,
    "blame_co_belligerent": blame_co_belligerent,
    "figures_disagree": figures_disagree,
}
SOURCE_REPEAT = "source_repeat"

NOISE_RATES: dict[str, dict[str, float]] = {
    "date_posted_late": _rates(0.05, 0.20, 0.35),
    "date_off_by_one": _rates(0.05, 0.12, 0.25),
    "date_month_only": _rates(0.0, 0.02, 0.06),
    "date_late_claim": _rates(0.01, 0.04, 0.10),
    "place_coarser": _rates(0.02, 0.08, 0.18),
    "place_qualified": _rates(0.02, 0.08, 0.15),
    "place_missing": _rates(0.01, 0.04, 0.10),
    "place_arabic": _rates(0.03, 0.12, 0.25),
    "place_article": _rates(0.10, 0.25, 0.40),
    "place_vowels": _rates(0.05, 0.20, 0.35),
    "place_consonants": _rates(0.03, 0.12, 0.25),
    "place_joined": _rates(0.03, 0.10, 0.20),
    "place_prefix_word": _rates(0.10, 0.30, 0.50),
    "governorate_arabic": _rates(0.02, 0.08, 0.20),
    "point_jitter": _rates(0.50, 0.80, 1.00),
    "point_missing": _rates(0.10, 0.30, 0.50),
    "point_centroid": _rates(0.02, 0.08, 0.15),
    "point_town_offset": _rates(0.03, 0.12, 0.20),
    "point_false_precision": _rates(0.01, 0.05, 0.12),
    "blame_unknown": _rates(0.03, 0.12, 0.25),
    "blame_other_name": _rates(0.05, 0.20, 0.35),
    "blame_co_belligerent": _rates(0.01, 0.05, 0.12),
    "figures_disagree": _rates(0.10, 0.30, 0.50),
    SOURCE_REPEAT: _rates(0.02, 0.05, 0.10),
}


def class_rng(seed: int, claim_key: str, name: str) -> random.Random:
    """The generator of one class's draws for one claim: the same at every level."""
    return random.Random(f"civcas-intake-noise:{seed}:{claim_key}:{name}")


def hits(seed: int, claim_key: str, level: str, rates: Mapping[str, Mapping[str, float]] = NOISE_RATES
         ) -> list[str]:
    """The classes whose draw for this claim falls below their rate at `level`, in table order."""
    if level not in LEVELS:
        raise ValueError(f"unknown noise level {level!r}; expected one of {', '.join(LEVELS)}")
    draws = random.Random(f"civcas-intake-noise:{seed}:{claim_key}")
    return [name for name in rates if draws.random() < rates[name][level]]


def apply_noise(claim: Claim, seed: int, claim_key: str, level: str,
                rates: Mapping[str, Mapping[str, float]] = NOISE_RATES) -> Claim:
    """The claim with the noise of `level`; `classes` names the classes that changed it."""
    hit = set(hits(seed, claim_key, level, rates))
    changed: list[str] = list(claim.classes)
    for name, function in NOISE_CLASSES.items():
        if name not in hit:
            continue
        noisy = function(claim, class_rng(seed, claim_key, name))
        if noisy is not None and noisy != claim:
            claim = noisy
            changed.append(name)
    return replace(claim, classes=tuple(changed))
