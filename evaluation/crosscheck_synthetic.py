"""Synthetic claims for the cross-check benchmark and scaling tests: ``synthetic_facts(n)``.

``synthetic_facts(n)`` builds ``n`` claims over about ``n / 25`` short documents, shaped like the
news the extractor reads: CoinShares-style weekly fund-flow reports (digital asset products by
region and by asset, a "btc+eth" joint figure and share, AUM), US spot-ETF weeklies (btc-etfs,
eth-etfs and their funds), daily market notes (prices, rate-cut probabilities, index levels, a
treasury company's "N BTC worth $M" purchase) and monthly reviews (a month with its weeks, a
quarter with its months). Every figure is a rounding of one hidden true series (daily flows summed
over the period, daily price walks), written the way news writes it ("$1.23B", "about $120M",
"over $40M", "12.3亿美元", "$97,452"), so agreeing reports agree interval-wise. Coverage is skewed
towards recent periods (hot weeks are reported by many documents), a few documents are syndicated
copies of another, and a small fraction of figures are deliberately wrong: conflicts (×1.2–1.8),
scale slips (×10, ×1000), parts above their totals, wrong shares, exaggerated headlines and
mispriced purchases.

Claim offsets (``start``/``end``) are positions in a virtual ~2 kB document; the stored document
text is a short (~200 character) distinct stand-in, because the near-duplicate detector MinHashes
every text and the benchmark is about the checks.
"""
from __future__ import annotations

import datetime as dt
import math
import random
import string

from extract.catalog import load_catalog
from extract.crosscheck.facts import Fact, interval_of

CLAIMS_PER_DOC = 25
TEXT_CHARS = 200
START = dt.date(2024, 1, 1)          # a Monday
DAYS = 728                           # 104 weeks, ~2 years
SPACING = 90                         # virtual characters between two claims of a document

# Error rates (per figure written); small, as in real news, but growing with n like everything else.
CONFLICT_RATE = 0.008
SLIP_RATE = 0.008
PART_EXCEEDS_RATE = 0.05             # per weekly report that states a region next to its total
SHARE_ERROR_RATE = 0.03              # per stated share
HEADLINE_ERROR_RATE = 0.02           # per titled document
PURCHASE_SLIP_RATE = 0.1             # per stated purchase
SYNDICATED_RATE = 0.03               # documents that are a copy of an earlier one

REGIONS = ("US", "CH", "DE", "CA", "SE", "BR", "HK")
ASSETS = ("btc", "eth", "sol", "xrp", "short-btc")
BTC_FUNDS = ("ibit", "fbtc", "gbtc", "arkb", "bitb", "hodl")
ETH_FUNDS = ("etha", "feth", "ethe")
PRICED = {"btc": 42_000.0, "eth": 2_300.0, "sol": 100.0, "xrp": 0.6, "gold": 2_050.0}
LABELS = {
    "digital-asset-products": ("Digital asset investment products", "数字资产投资产品"),
    "btc": ("Bitcoin products", "比特币产品"), "eth": ("Ethereum products", "以太坊产品"),
    "sol": ("Solana products", "Solana产品"), "xrp": ("XRP products", "XRP产品"),
    "short-btc": ("Short-bitcoin products", "做空比特币产品"), "btc-etfs": ("US spot bitcoin ETFs", "美国现货比特币ETF"),
    "eth-etfs": ("US spot ether ETFs", "美国现货以太坊ETF"), "btc+eth": ("Bitcoin and Ethereum", "比特币和以太坊"),
}


# --------------------------------------------------------------------------- hidden truth


class Truth:
    """Hidden true series: daily flows (summed over any period), daily prices and levels."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        n = DAYS
        flows: dict[tuple[str, str | None], list[float]] = {}

        def ar(mean: float, sd: float, phi: float = 0.7) -> list[float]:
            x, out = 0.0, []
            for _ in range(n):
                x = phi * x + rng.gauss(0, sd)
                out.append(mean + x)
            return out

        regime = ar(60e6, 120e6, 0.97)
        assets = {"btc": [0.7 * r + e for r, e in zip(regime, ar(0, 40e6))],
                  "eth": [0.2 * r + e for r, e in zip(regime, ar(0, 25e6))],
                  "sol": ar(3e6, 8e6), "xrp": ar(2e6, 6e6), "short-btc": ar(-0.5e6, 3e6)}
        other_assets = ar(1e6, 5e6)
        total = [sum(a[i] for a in assets.values()) + other_assets[i] for i in range(n)]
        for a, series in assets.items():
            flows[(a, None)] = series
        flows[("digital-asset-products", None)] = total
        regions = {"US": [0.85 * t + e for t, e in zip(total, ar(0, 30e6))]}
        for r in REGIONS[1:]:
            regions[r] = ar(rng.uniform(-3e6, 6e6), 8e6)
        for r, series in regions.items():
            flows[("digital-asset-products", r)] = series
        for etfs, asset, funds in (("btc-etfs", "btc", BTC_FUNDS), ("eth-etfs", "eth", ETH_FUNDS)):
            group = [0.85 * b + e for b, e in zip(flows[(asset, None)], ar(0, 15e6))]
            flows[(etfs, None)] = group
            weights = [0.5, 0.25, -0.15, 0.1, 0.08, 0.05] if asset == "btc" else [0.6, 0.25, -0.2]
            for fund, w in zip(funds, weights):
                flows[(fund, None)] = [w * g + e for g, e in zip(group, ar(0, 10e6))]
        self.prefix = {}
        for key, series in flows.items():
            acc, p = 0.0, [0.0]
            for v in series:
                acc += v
                p.append(acc)
            self.prefix[key] = p
        self.prices = {}
        for asset, p0 in PRICED.items():
            x, out = math.log(p0), []
            for _ in range(n):
                x += rng.gauss(0.0004, 0.03 if asset != "gold" else 0.008)
                out.append(math.exp(x))
            self.prices[asset] = out
        prob, self.cut_probability = 50.0, []
        for _ in range(n):
            prob = min(95.0, max(5.0, prob + rng.gauss(0, 6)))
            self.cut_probability.append(prob)
        self.sp500 = [4_700 * math.exp(0.0003 * i + 0.01 * math.sin(i / 9)) for i in range(n)]

    def flow(self, subject: str, region: str | None, period: tuple[dt.date, dt.date]) -> float:
        p = self.prefix[(subject, region)]
        a, b = (period[0] - START).days, (period[1] - START).days + 1
        return p[b] - p[a]

    def price(self, asset: str, day: dt.date) -> float:
        return self.prices[asset][(day - START).days]

    def aum(self, day: dt.date) -> float:
        return 3.2e6 * self.price("btc", day) + 1.1e7 * self.price("eth", day)

    def purchase(self, day: dt.date) -> float:
        """Coins a treasury company bought that day (deterministic per day)."""
        return float(random.Random(day.toordinal()).randint(300, 30_000))


# --------------------------------------------------------------------------- periods


WEEKS = [(START + dt.timedelta(days=7 * i), START + dt.timedelta(days=7 * i + 6)) for i in range(DAYS // 7)]
MONTHS = [(dt.date(y, m, 1), dt.date(y + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1))
          for y in (2024, 2025) for m in range(1, 13)]
MONTHS = [m for m in MONTHS if (m[1] - START).days < DAYS]
QUARTERS = [(MONTHS[i][0], MONTHS[i + 2][1]) for i in range(0, len(MONTHS) - 2, 3)]


def recent(rng: random.Random, n: int) -> int:
    """An index into ``n`` periods, skewed to the recent end: news covers hot weeks many times."""
    if rng.random() < 0.4:
        return rng.randrange(n)
    return max(0, n - 1 - int(rng.expovariate(1 / max(1.0, n / 12))))


# --------------------------------------------------------------------------- figures as written


def _digits(x: float, sig: int) -> str:
    """``x`` (> 0) rounded to ``sig`` significant digits, written as news writes it (no exponent)."""
    if x <= 0:
        return "0"
    e = math.floor(math.log10(x))
    decimals = sig - 1 - e
    if decimals >= 0:
        return f"{x:.{decimals}f}"
    return str(int(round(x, decimals)))


def money(truth: float, rng: random.Random, zh: bool = False) -> tuple[float, str, str]:
    """(value, approx, text) of an amount of US dollars: "$1.23B", "about $120M", "12.3亿美元"."""
    mag = abs(truth)
    mode = rng.choices(("exact", "about", "over", "nearly"), (78, 12, 5, 5))[0]
    sig = rng.choice((2, 3, 3, 4))
    if zh:
        unit, suffix, prefix = (1e8, "亿美元", "") if mag >= 1e8 else (1e4, "万美元", "")
    else:
        unit, suffix, prefix = (1e9, "B", "$") if mag >= 1e9 else (1e6, "M", "$") if mag >= 1e6 else (1e3, "K", "$")
    x = mag / unit
    if x < 10 ** (1 - sig) * 5:    # tiny: keep two significant digits whatever the unit
        sig = 2
    digits = _digits(x, sig)
    shown = float(digits)
    if mode == "over" and shown >= x or mode == "nearly" and shown < x:
        mode = "exact"             # "over" only when the written figure is below the truth, "nearly" above
    value = math.copysign(shown * unit, truth) if shown else truth
    words = {"exact": "", "about": "about " if not zh else "约", "over": "over " if not zh else "超过",
             "nearly": "nearly " if not zh else "近"}[mode]
    return value, mode, f"{words}{prefix}{digits}{suffix}"


def level(truth: float, rng: random.Random, unit: str) -> tuple[float, str, str]:
    """(value, approx, text) of a price, probability or index level: "$97,452", "72%", "4,731 points"."""
    if unit == "%":
        if rng.random() < 0.2:
            return float(round(truth)), "about", f"about {round(truth)}%"
        return float(round(truth)), "exact", f"{round(truth)}%"
    if truth >= 1000:
        step = rng.choice((1, 1, 10, 100))
        v = round(truth / step) * step
        text = f"{v:,}"
    elif truth >= 10:
        v = round(truth, 2)
        text = f"{v:.2f}"
    else:
        v = round(truth, 4)
        text = f"{v:.4f}"
    return float(v), "exact", (f"${text}" if unit == "USD" else f"{text} points")


# --------------------------------------------------------------------------- documents


class DocBuilder:
    """Claims of one document, in reading order, with their virtual offsets."""

    def __init__(self, doc: str, zh: bool):
        self.doc, self.zh, self.items = doc, zh, []

    def add(self, subject, metric, region, unit, period, value, approx, text, sentence, in_title=False):
        self.items.append(dict(subject=subject, metric=metric, region=region, unit=unit, period=period,
                               value=value, approx=approx, text=text, sentence=sentence, in_title=in_title))

    def facts(self, limit: int) -> list[Fact]:
        out = []
        for i, it in enumerate(self.items[:limit]):
            start = 0 if it["in_title"] else 60 + SPACING * i
            interval = interval_of(it["value"], it["approx"], None, None, it["text"])
            out.append(Fact(id=f"{self.doc}#c{i + 1:02d}", doc=self.doc, start=start, end=start + len(it["text"]),
                            text=it["text"], sentence=it["sentence"], value=it["value"], low=None, high=None,
                            unit=it["unit"], approx=it["approx"], subject=it["subject"], metric=it["metric"],
                            region=it["region"], period=it["period"], source=None, in_title=it["in_title"],
                            interval=interval))
        return out


class Generator:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.truth = Truth(random.Random(seed * 7919 + 1))

    # -- figures, with the deliberate errors ---------------------------------------------------

    def wrong(self, truth: float) -> float:
        """The truth, or (rarely) a conflicting or scale-slipped version of it."""
        r = self.rng.random()
        if r < CONFLICT_RATE:
            return truth * self.rng.uniform(1.25, 1.8) ** self.rng.choice((1, -1))
        if r < CONFLICT_RATE + SLIP_RATE:
            return truth * self.rng.choice((10, 10, 10, 0.1, 1000, 0.001))
        return truth

    def flow(self, b: DocBuilder, subject, region, period, truth=None, *, exact_truth=False, in_title=False):
        t = self.truth.flow(subject, region, period) if truth is None else truth
        if not exact_truth:
            t = self.wrong(t)
        value, approx, text = money(t, self.rng, b.zh)
        en, zh = LABELS.get(subject, (subject.upper(), subject.upper()))
        where = f" in {region}" if region else ""
        if b.zh:
            scope = f"（{region}）" if region else ""
            sentence = f"{zh}{scope}{period[0]}至{period[1]}期间净{'流入' if t > 0 else '流出'}{text}。"
        elif in_title:
            sentence = f"{en} see {text} of {'inflows' if t > 0 else 'outflows'}"
        else:
            sentence = f"{en}{where} saw {'inflows' if t > 0 else 'outflows'} of {text} from {period[0]} to {period[1]}."
        b.add(subject, "fund_flow", region, "USD", period, value, approx, text, sentence, in_title)
        return value

    def price(self, b: DocBuilder, asset: str, day: dt.date):
        value, approx, text = level(self.wrong(self.truth.price(asset, day)), self.rng, "USD")
        b.add(asset, "price", None, "USD", (day, day), value, approx, text,
              f"{asset.upper()} traded at {text} on {day}." if not b.zh else f"{asset.upper()}在{day}报{text}。")

    # -- document kinds --------------------------------------------------------------------------

    def weekly(self, b: DocBuilder):
        """CoinShares-style weekly: total, assets, btc+eth joint figure and share, regions, AUM."""
        rng, week = self.rng, WEEKS[recent(self.rng, len(WEEKS))]
        titled = rng.random() < 0.4
        total_truth = self.truth.flow("digital-asset-products", None, week)
        if titled:
            head = total_truth * (rng.uniform(1.6, 3.0) if rng.random() < HEADLINE_ERROR_RATE else 1)
            self.flow(b, "digital-asset-products", None, week, head, exact_truth=True, in_title=True)
        total = self.flow(b, "digital-asset-products", None, week, total_truth, exact_truth=True)
        btc_t, eth_t = self.truth.flow("btc", None, week), self.truth.flow("eth", None, week)
        self.flow(b, "btc", None, week, btc_t, exact_truth=True)
        self.flow(b, "eth", None, week, eth_t, exact_truth=True)
        if btc_t > 0 and eth_t > 0 and total_truth > btc_t + eth_t and rng.random() < 0.6:
            share = 100 * (btc_t + eth_t) / total_truth
            if rng.random() < SHARE_ERROR_RATE:
                share = max(1.0, share - rng.uniform(10, 30))
            text = f"{round(share)}%"
            sentence = (f"Bitcoin and Ethereum accounted for {text} of the week's inflows." if not b.zh
                        else f"比特币和以太坊合计占本周流入的{text}。")
            b.add("btc+eth", "share", None, "%", week, float(round(share)), "exact", text, sentence)
        if rng.random() < 0.3:
            self.flow(b, "btc+eth", None, week, btc_t + eth_t)
        for asset in ASSETS[2:]:
            self.flow(b, asset, None, week)
        regions = list(REGIONS)
        rng.shuffle(regions)
        for i, region in enumerate(regions[:rng.randint(3, 7)]):
            truth = self.truth.flow("digital-asset-products", region, week)
            if i == 0 and rng.random() < PART_EXCEEDS_RATE and total:
                truth = total * rng.uniform(1.3, 2.0)        # a region above the global total, same way
            self.flow(b, "digital-asset-products", region, week, truth, exact_truth=True)
        if rng.random() < 0.5:
            day = week[1]
            value, approx, text = money(self.wrong(self.truth.aum(day)), rng, b.zh)
            b.add("digital-asset-products", "aum", None, "USD", (day, day), value, approx, text,
                  f"Total assets under management stood at {text}.")
        if rng.random() < 0.25:                           # the month to date, when the week closes a month
            month = next((m for m in MONTHS if m[0] <= week[1] <= m[1]), None)
            if month and week[1] == month[1] or rng.random() < 0.2 and month:
                self.flow(b, "digital-asset-products", None, (month[0], min(month[1], week[1])))
        return week

    def etf_weekly(self, b: DocBuilder):
        """Farside-style US spot ETF week: group totals and their funds."""
        rng, week = self.rng, WEEKS[recent(self.rng, len(WEEKS))]
        for group, funds in (("btc-etfs", BTC_FUNDS), ("eth-etfs", ETH_FUNDS)):
            group_truth = self.truth.flow(group, None, week)
            self.flow(b, group, None, week, group_truth, exact_truth=True)
            for i, fund in enumerate(funds[:rng.randint(2, len(funds))]):
                truth = self.truth.flow(fund, None, week)
                if i == 0 and rng.random() < PART_EXCEEDS_RATE / 2 and group_truth:
                    truth = group_truth * rng.uniform(1.3, 2.0)
                self.flow(b, fund, None, week, truth, exact_truth=i == 0)
        return week

    def market(self, b: DocBuilder):
        """Daily note: prices, a rate-cut probability, an index level, sometimes a purchase."""
        rng = self.rng
        day = START + dt.timedelta(days=recent(rng, DAYS))
        for asset in rng.sample(sorted(PRICED), rng.randint(2, 5)):
            self.price(b, asset, day)
        value, approx, text = level(self.wrong(self.truth.cut_probability[(day - START).days]), rng, "%")
        b.add("fed", "probability", None, "%", (day, day), value, approx, text,
              f"Traders priced a {text} probability of a rate cut, per CME FedWatch.")
        value, approx, text = level(self.wrong(self.truth.sp500[(day - START).days]), rng, "points")
        b.add("sp500", "index_level", None, "points", (day, day), value, approx, text, f"The S&P 500 closed at {text}.")
        if rng.random() < 0.3:
            coins = self.truth.purchase(day)
            usd = coins * self.truth.price("btc", day)
            if rng.random() < PURCHASE_SLIP_RATE:
                usd *= rng.choice((10, 0.1))
            ctext = f"{int(coins):,} BTC"
            uvalue, uapprox, utext = money(usd, rng)
            sentence = f"Strategy bought {ctext} worth {utext} on {day}."
            b.add("mstr", "purchase", None, "BTC", (day, day), coins, "exact", ctext, sentence)
            b.add("mstr", "purchase", None, "USD", (day, day), uvalue, uapprox, utext, sentence)
        week = next((w for w in WEEKS if w[0] <= day <= w[1]), WEEKS[-1])
        if week[1] < START + dt.timedelta(days=DAYS) and rng.random() < 0.5:
            prev = WEEKS[max(0, WEEKS.index(week) - 1)]
            self.flow(b, "digital-asset-products", None, prev)
            self.flow(b, "btc-etfs", None, prev)
        for back in range(1, 4):                          # earlier closes, for context
            if day - dt.timedelta(days=back) >= START:
                self.price(b, "btc", day - dt.timedelta(days=back))
        return day

    def monthly(self, b: DocBuilder):
        """Monthly review: a month and its weeks; at a quarter's end, the quarter and its months instead."""
        rng, month = self.rng, MONTHS[recent(self.rng, len(MONTHS))]
        for subject in ("digital-asset-products", "btc", "eth", "btc-etfs", "eth-etfs", "ibit"):
            self.flow(b, subject, None, month)
        quarter = next((q for q in QUARTERS if q[1] == month[1]), None)
        if not quarter:          # the month's weeks (a quarterly review lists its months instead)
            for week in [w for w in WEEKS if month[0] <= w[0] and w[1] <= month[1]]:
                self.flow(b, "digital-asset-products", None, week)
        else:
            months = [m for m in MONTHS if quarter[0] <= m[0] and m[1] <= quarter[1]]
            truths = [self.truth.flow("digital-asset-products", None, m) for m in months]
            self.flow(b, "digital-asset-products", None, quarter, sum(truths), exact_truth=rng.random() > 0.1)
            for m, t in zip(months, truths):
                self.flow(b, "digital-asset-products", None, m, t, exact_truth=True)
        self.flow(b, "digital-asset-products", "US", month)
        self.flow(b, "digital-asset-products", "CH", month)
        return month

    def pad(self, b: DocBuilder, anchor, target: int):
        """More prices around the document's date, up to ``target`` claims."""
        day = anchor[1] if isinstance(anchor, tuple) else anchor
        while len(b.items) < target:
            back = self.rng.randint(0, 6)
            d = max(START, day - dt.timedelta(days=back))
            self.price(b, self.rng.choice(("btc", "eth", "sol")), d)


def _text(rng: random.Random, doc: str, kind: str, when) -> str:
    """A short distinct stand-in text (~200 characters)."""
    words = " ".join("".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 9))) for _ in range(40))
    cue = " Other regions saw small inflows." if kind == "weekly" and rng.random() < 0.3 else ""
    head = f"{kind} {when}{cue} "
    return (head + words)[:TEXT_CHARS]


def synthetic_facts(n: int, seed: int = 0) -> tuple[list[Fact], dict[str, str]]:
    """``n`` synthetic claims over about ``n / 25`` documents, and each document's text."""
    gen = Generator(seed)
    rng = gen.rng
    load_catalog()   # fail early if the subjects below are not catalog ids
    facts: list[Fact] = []
    texts: dict[str, str] = {}
    built: list[tuple[str, list]] = []   # (doc, items) for syndication
    i = 0
    while len(facts) < n:
        doc = f"syn-{i:07d}"
        i += 1
        if built and rng.random() < SYNDICATED_RATE:
            src_doc, items = built[rng.randrange(max(0, len(built) - 50), len(built))]
            b = DocBuilder(doc, False)
            b.items = items
            texts[doc] = texts[src_doc][:TEXT_CHARS - 20] + " (syndicated copy)"
            facts.extend(b.facts(min(len(items), n - len(facts))))
            continue
        kind = rng.choices(("weekly", "etf", "market", "monthly"), (35, 20, 30, 15))[0]
        b = DocBuilder(doc, zh=rng.random() < 0.15)
        anchor = {"weekly": gen.weekly, "etf": gen.etf_weekly, "market": gen.market, "monthly": gen.monthly}[kind](b)
        target = rng.randint(CLAIMS_PER_DOC - 7, CLAIMS_PER_DOC + 7)
        gen.pad(b, anchor, target)
        texts[doc] = _text(rng, doc, kind, anchor)
        built.append((doc, b.items))
        facts.extend(b.facts(min(target, n - len(facts))))
    return facts, texts


