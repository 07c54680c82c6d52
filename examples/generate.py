#!/usr/bin/env python3
"""Generate the bundled example evidence packs for "Rafidain Chat", a fictional messaging app.

    python examples/generate.py            # rewrites examples/before-negotiation and
                                           # examples/after-remediation
    python examples/generate.py OUT_DIR    # writes the two packs under OUT_DIR instead

Everything here is invented: the platform, the company, the people (their surnames are the word
"example" in Arabic, German, French, Hindi, Turkish and Portuguese) and every logged event.
The logs are drawn from seeded random generators and written with fixed ordering, so running
the script twice gives byte-identical files (tests/test_examples.py checks this).

Two packs tell one story, around the Iraqi block of Telegram in August 2023 that the module
``iq.telegram-2023`` encodes:

* ``before-negotiation``  (as of 2023-08-31): leak-channel requests from Iraqi authorities are
  closed slowly, nobody is named as the contact for the Iraqi authorities, Iraqi users' data is
  disclosed on administrative requests without a judicial decision, the Arabic privacy policy
  is three years old and breach notices are late.
* ``after-remediation``   (as of 2024-12-31): a 24/7 queue closes ~97 % of leak channels within
  24 hours, an Iraq liaison is named, disclosures happen only on judicial decisions, a current
  Arabic (and Kurdish) privacy policy is published, breaches are notified on time, and two
  waivers are on file (one active, one expired).

Standard library only (no third-party packages), so it runs with any Python 3.9+.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import re
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKS = ("before-negotiation", "after-remediation")
SEED = 20230813  # the day Iraq lifted the Telegram block

UTC = dt.timezone.utc
H = dt.timedelta(hours=1)

# ---------------------------------------------------------------------------------------------
# small helpers
# ---------------------------------------------------------------------------------------------

_FIXED_OFFSETS = {"IQ": 3, "TR": 3, "SA": 3, "JO": 3, "KW": 3, "AE": 4, "IN": 5.5, "BR": -3,
                  "EG": 2, "GB": 0, "US": -5}
_EU_DST = {"DE", "FR", "NL", "IT", "ES", "PL", "AT", "BE", "SE"}


def _last_sunday(year: int, month: int) -> dt.date:
    day = dt.date(year, month, 31)
    return day - dt.timedelta(days=(day.weekday() + 1) % 7)


def offset_for(country: str, when: dt.datetime) -> dt.timezone:
    """The local UTC offset of a country at an instant (EU summer time; fixed elsewhere)."""
    if country in _EU_DST:
        start = dt.datetime.combine(_last_sunday(when.year, 3), dt.time(1), UTC)
        end = dt.datetime.combine(_last_sunday(when.year, 10), dt.time(1), UTC)
        return dt.timezone(dt.timedelta(hours=2 if start <= when < end else 1))
    return dt.timezone(dt.timedelta(hours=_FIXED_OFFSETS.get(country, 0)))


def stamp(when: dt.datetime | None, country: str) -> str:
    """ISO 8601 with the offset of the country where the event was handled."""
    if when is None:
        return ""
    return when.astimezone(offset_for(country, when)).isoformat(timespec="seconds")


def utc(year: int, month: int, day: int, hour: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=UTC)


def moment(rng: random.Random, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    """A random instant in [start, end), whole seconds, busier in daytime (Baghdad)."""
    span = int((end - start).total_seconds())
    while True:
        t = start + dt.timedelta(seconds=rng.randrange(span))
        hour = (t.hour + 3) % 24
        if rng.random() < (1.0 if 8 <= hour < 23 else 0.45):
            return t


def weighted(rng: random.Random, table: dict[str, float]) -> str:
    keys = list(table)
    return rng.choices(keys, weights=[table[k] for k in keys])[0]


def delay(rng: random.Random, clock_h: float, p_on: float, late_mean_h: float,
          p_missing: float = 0.0) -> float | None:
    """Hours taken: within the clock with probability p_on, else late (or never handled)."""
    if rng.random() < p_missing:
        return None
    if rng.random() < p_on:
        return max(1 / 60, clock_h * 0.97 * rng.random() ** 1.6)
    return clock_h * 1.02 + rng.expovariate(1 / late_mean_h)


def after(t: dt.datetime, hours: float | None, cap: dt.datetime) -> dt.datetime | None:
    """t + hours, or None when not handled (or not yet handled by the as-of date)."""
    if hours is None:
        return None
    end = t + dt.timedelta(seconds=round(hours * 3600))
    return end if end < cap else None


# ---------------------------------------------------------------------------------------------
# YAML without a YAML library (the files stay readable and diff well)
# ---------------------------------------------------------------------------------------------

_PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9 _.,/()@'+-]*$")
_RESERVED = {"y", "n", "yes", "no", "true", "false", "on", "off", "null", "~"}


def _scalar(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if (_PLAIN.match(text) and text.lower() not in _RESERVED and not text.endswith(" ")
            and ": " not in text and " #" not in text):
        return text
    return json.dumps(text, ensure_ascii=False)


def to_yaml(value: object, indent: int = 0) -> str:
    pad = " " * indent
    if isinstance(value, dict):
        if not value:
            return pad + "{}\n"
        out = []
        for key, item in value.items():
            head = f"{pad}{_scalar(key)}:"
            if isinstance(item, (dict, list)) and item:
                out.append(head + "\n" + to_yaml(item, indent + 2))
            elif isinstance(item, (dict, list)):
                out.append(f"{head} {'{}' if isinstance(item, dict) else '[]'}\n")
            else:
                out.append(f"{head} {_scalar(item)}\n")
        return "".join(out)
    if isinstance(value, list):
        if not value:
            return pad + "[]\n"
        out = []
        for item in value:
            if isinstance(item, dict) and item:
                body = to_yaml(item, indent + 2)
                out.append(pad + "- " + body[indent + 2:])
            elif isinstance(item, list) and item:
                out.append(pad + "-\n" + to_yaml(item, indent + 2))
            else:
                out.append(f"{pad}- {_scalar(item)}\n")
        return "".join(out)
    return pad + _scalar(value) + "\n"


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(text)


def write_yaml(path: Path, comment: str, value: object) -> None:
    lines = "".join(f"# {line}\n" if line else "#\n" for line in comment.splitlines())
    write_text(path, lines + to_yaml(value))


def write_csv(path: Path, columns: list[str], rows: list[dict[str, object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})


# ---------------------------------------------------------------------------------------------
# the two situations
# ---------------------------------------------------------------------------------------------

USERS = {"IQ": 11_800_000, "IN": 7_200_000, "TR": 3_100_000, "DE": 2_400_000,
         "FR": 1_300_000, "EG": 1_100_000, "BR": 900_000, "SA": 800_000, "US": 700_000,
         "JO": 600_000, "NL": 450_000, "GB": 400_000, "IT": 380_000, "ES": 300_000,
         "SE": 260_000, "AE": 250_000, "PL": 210_000, "KW": 180_000, "AT": 150_000,
         "BE": 140_000}
EU = ("DE", "FR", "NL", "IT", "ES", "SE", "PL", "AT", "BE")
EU_OTHERS = 610_000  # EU users in member states not listed above
# Markets the app is not offered in: stated as 0 so those laws are "not applicable" rather than
# "applicability not established".
NOT_SERVED = ("AU", "ID", "KE", "NG", "PK", "RU", "VN")


def platform_profile(after_: bool) -> dict[str, object]:
    users = {k: round(v * (1.18 if after_ else 1.0), -4) for k, v in USERS.items()}
    users = {k: int(v) for k, v in users.items()}
    users["EU"] = sum(users[c] for c in EU) + round(EU_OTHERS * (1.18 if after_ else 1.0))
    users.update({c: 0 for c in NOT_SERVED})
    people = [
        {"name": "Hanna Beispiel", "role": "dpo", "country": "DE",
         "contact": "dpo@rafidain-chat.example.com", "organisation": "Rafidain Messaging Ltd",
         "appointed": dt.date(2021, 3, 1)},
    ]
    if after_:
        people += [
            {"name": "Zaid Al-Mithali", "role": "authority_contact_iq", "country": "IQ",
             "organisation": "Rafidain Messaging Ltd, Baghdad liaison office",
             "appointed": dt.date(2024, 11, 18),
             "note": "Named Iraq liaison; the 24/7 channel agreed with the Ministry of "
                     "Communications (address and hotline) opens in Q1 2025, see waivers.yaml."},
            {"name": "Rafidain Government Requests Team", "role": "authority_contact",
             "country": "AE", "contact": "gov-requests@rafidain-chat.example.com",
             "appointed": dt.date(2023, 9, 1)},
            {"name": "Claire Exemple", "role": "gdpr_representative_eu", "country": "FR",
             "contact": "eu-representative@rafidain-chat.example.com",
             "organisation": "Exemple Avocats (fictional)", "appointed": dt.date(2023, 11, 1)},
            {"name": "Claire Exemple", "role": "dsa_legal_representative", "country": "FR",
             "contact": "eu-representative@rafidain-chat.example.com",
             "organisation": "Exemple Avocats (fictional)", "appointed": dt.date(2023, 11, 1)},
            {"name": "Claire Exemple", "role": "tco_legal_representative", "country": "FR",
             "contact": "eu-representative@rafidain-chat.example.com",
             "organisation": "Exemple Avocats (fictional)", "appointed": dt.date(2023, 11, 1)},
            {"name": "Rafidain EU Authorities Desk", "role": "dsa_authority_contact",
             "country": "DE", "contact": "dsa-authorities@rafidain-chat.example.com"},
            {"name": "Rafidain User Support (EU)", "role": "dsa_user_contact", "country": "DE",
             "contact": "help-eu@rafidain-chat.example.com"},
            {"name": "Rafidain TCO Contact Point", "role": "tco_contact_point", "country": "DE",
             "contact": "tco-orders@rafidain-chat.example.com",
             "note": "Staffed 24/7 for removal orders."},
            {"name": "Hanna Beispiel", "role": "authorised_recipient_de", "country": "DE",
             "contact": "zustellung@rafidain-chat.example.com"},
            {"name": "Priya Udaharan", "role": "resident_grievance_officer_in", "country": "IN",
             "contact": "grievance-in@rafidain-chat.example.com",
             "appointed": dt.date(2024, 1, 15)},
            {"name": "Arjun Udaharan", "role": "chief_compliance_officer_in", "country": "IN",
             "contact": "compliance-in@rafidain-chat.example.com",
             "appointed": dt.date(2024, 1, 15)},
            {"name": "Meera Udaharan", "role": "nodal_contact_in", "country": "IN",
             "contact": "nodal-in@rafidain-chat.example.com", "appointed": dt.date(2024, 1, 15)},
            {"name": "Rafidain Security Operations (India)", "role": "cert_in_contact",
             "country": "IN", "contact": "cert-in-poc@rafidain-chat.example.com"},
            {"name": "Deniz Örnek", "role": "representative_tr", "country": "TR",
             "contact": "temsilci@rafidain-chat.example.com",
             "appointed": dt.date(2024, 2, 1)},
            {"name": "Lucas Exemplo", "role": "representative_br", "country": "BR",
             "contact": "representante@rafidain-chat.example.com",
             "appointed": dt.date(2024, 3, 1)},
            {"name": "Lucas Exemplo", "role": "dpo_br", "country": "BR",
             "contact": "encarregado@rafidain-chat.example.com",
             "appointed": dt.date(2024, 3, 1)},
        ]
    return {
        "name": "Rafidain Chat",
        "legal_name": "Rafidain Messaging Ltd (fictional)",
        "description": "Messaging app with private chats, groups and public channels, popular "
                       "in Iraq. An invented platform for the bundled examples.",
        "services": ["messaging", "groups", "public_channels", "voice_calls"],
        "features": {"public_channels": True, "groups": True, "e2ee": "secret_chats_only",
                     "livestream": False, "advertising": after_, "minors_allowed": True},
        "users": users,
        "daily_access": {"IQ": 7_400_000 if not after_ else 8_900_000,
                         "TR": 1_700_000 if not after_ else 2_050_000, "RU": 0},
        "establishment": {"country": "AE", "eu_establishment": False,
                          "branches": ["IQ", "DE", "IN"] if after_ else ["DE"]},
        "employees": 410 if after_ else 260,
        "designations": {"vlop": False, "ssmi_in": True, "sdf_in": False,
                         "au_age_restricted": False, "ke_strategic_interest": False,
                         "vn_localisation_demand": False},
        "retention": ({"access_logs_days": 185, "ict_logs_days": 180,
                       "processing_logs_days": 365, "message_metadata_days": 90,
                       "removed_content_days": 180, "closed_account_registration_days": 180,
                       "deleted_account_days": 30, "moderation_records_days": 730}
                      if after_ else
                      {"access_logs_days": 730, "ict_logs_days": 90,
                       "message_metadata_days": 365, "removed_content_days": 90,
                       "deleted_account_days": 180, "moderation_records_days": 365}),
        "data_location": ({"primary_user_db": ["DE", "NL"], "media_storage": ["DE", "NL"],
                           "backups": ["DE"], "tr_user_data": ["TR"], "in_user_data": ["IN"]}
                          if after_ else
                          {"primary_user_db": ["NL", "US"], "media_storage": ["US"],
                           "backups": ["US"]}),
        "facts": {"annual_turnover_eur": 48_000_000 if after_ else 31_000_000,
                  "netzdg_complaints_per_year": 2_400 if after_ else 1_900,
                  "vn_monthly_visits": 0},
        "representatives": people,
        "language": "en",
        "as_of": dt.date(2024, 12, 31) if after_ else dt.date(2023, 8, 31),
    }


# ---------------------------------------------------------------------------------------------
# moderation log
# ---------------------------------------------------------------------------------------------

MOD_COLUMNS = ["request_id", "received_at", "actioned_at", "category", "requester", "action",
               "country", "urgency", "channel_id", "decided_by"]

ACTIONS = {
    "personal_data_leak": {"channel_closed": 6, "content_removed": 3, "account_suspended": 1},
    "terrorist_content": {"content_removed": 5, "channel_closed": 3, "account_suspended": 2},
    "ncii": {"content_removed": 7, "account_suspended": 3},
    "illegal_content": {"content_removed": 6, "geo_restricted": 2, "no_action": 2},
    "hate_speech": {"content_removed": 5, "no_action": 3, "geo_restricted": 1},
    "court_order": {"geo_restricted": 4, "content_removed": 4, "channel_closed": 2},
    "government_order": {"geo_restricted": 5, "content_removed": 3, "no_action": 2},
    "spam": {"account_suspended": 6, "content_removed": 3, "no_action": 1},
    "copyright": {"content_removed": 8, "no_action": 2},
}
TEAMS = {"IQ": "ts_baghdad", "TR": "ts_istanbul", "IN": "ts_hyderabad", "BR": "ts_sao_paulo"}


def moderation_streams(after_: bool, start: dt.datetime,
                       end: dt.datetime) -> list[dict[str, object]]:
    """Who asks what, how many, and how fast the platform answers (per situation).

    Keys: n, category, requester, country (or a weight table), clock (hours), p_on (share on
    time), late (mean hours late), miss (share never handled), emergency (share urgent),
    window (start, end) when narrower than the pack's period.
    """
    other = {"EG": 5, "SA": 4, "JO": 3, "US": 3, "GB": 2, "AE": 2, "KW": 1, "NL": 2, "IT": 2,
             "ES": 1, "SE": 1, "PL": 1, "AT": 1, "BE": 1}
    if not after_:
        block, unblock = utc(2023, 8, 6), utc(2023, 8, 13)
        return [
            # Iraqi authorities' requests to close channels leaking personal data: the stream
            # iq.telegram-2023 measures (from 13 Aug 2023, when the module's clock applies).
            dict(n=430, category="personal_data_leak", requester="authority", country="IQ",
                 clock=24, p_on=0.42, late=110, miss=0.06, emergency=0.15,
                 window=(start, block)),
            dict(n=85, category="personal_data_leak", requester="authority", country="IQ",
                 clock=24, p_on=0.30, late=90, miss=0.05, emergency=0.3,
                 window=(block, unblock)),
            dict(n=260, category="personal_data_leak", requester="authority", country="IQ",
                 clock=24, p_on=0.43, late=70, miss=0.04, emergency=0.2,
                 window=(unblock, end)),
            dict(n=900, category="personal_data_leak", requester="user", country="IQ",
                 clock=24, p_on=0.35, late=140, miss=0.12, emergency=0.0),
            dict(n=760, category="illegal_content", requester="user", country="IQ",
                 clock=48, p_on=0.55, late=120, miss=0.10, emergency=0.0),
            dict(n=140, category="government_order", requester="authority", country="IQ",
                 clock=24, p_on=0.50, late=96, miss=0.08, emergency=0.1),
            dict(n=70, category="terrorist_content", requester="authority", country="IQ",
                 clock=1, p_on=0.25, late=20, miss=0.03, emergency=0.6),
            dict(n=60, category="court_order", requester="court", country="IQ",
                 clock=24, p_on=0.55, late=80, miss=0.05, emergency=0.0),
            dict(n=520, category="illegal_content", requester="user", country="DE",
                 clock=24, p_on=0.62, late=60, miss=0.02, emergency=0.0),
            dict(n=300, category="hate_speech", requester="user", country="DE",
                 clock=24, p_on=0.58, late=70, miss=0.02, emergency=0.0),
            dict(n=24, category="terrorist_content", requester="authority",
                 country={"DE": 3, "FR": 2, "NL": 1}, clock=1, p_on=0.38, late=9,
                 miss=0.0, emergency=0.8),
            dict(n=200, category="illegal_content", requester="trusted_flagger",
                 country={"DE": 3, "FR": 2, "NL": 1}, clock=24, p_on=0.6, late=60, miss=0.02,
                 emergency=0.0),
            dict(n=260, category="illegal_content", requester="user",
                 country={"FR": 4, "IT": 2, "ES": 1, "NL": 1, "PL": 1}, clock=24, p_on=0.6,
                 late=80, miss=0.03, emergency=0.0),
            dict(n=130, category="ncii", requester="user",
                 country={"FR": 2, "DE": 2, "IN": 4, "BR": 1, "TR": 1}, clock=24, p_on=0.45,
                 late=60, miss=0.04, emergency=0.3),
            dict(n=80, category="government_order", requester="authority", country="IN",
                 clock=36, p_on=0.55, late=70, miss=0.03, emergency=0.1),
            dict(n=45, category="court_order", requester="court", country="IN",
                 clock=36, p_on=0.6, late=70, miss=0.0, emergency=0.0),
            dict(n=240, category="illegal_content", requester="user", country="IN",
                 clock=72, p_on=0.6, late=120, miss=0.06, emergency=0.0),
            dict(n=90, category="government_order", requester="authority", country="TR",
                 clock=4, p_on=0.35, late=30, miss=0.03, emergency=0.25),
            dict(n=70, category="court_order", requester="court", country="TR",
                 clock=24, p_on=0.5, late=60, miss=0.03, emergency=0.0),
            dict(n=160, category="illegal_content", requester="user", country="TR",
                 clock=48, p_on=0.5, late=90, miss=0.04, emergency=0.0),
            dict(n=40, category="court_order", requester="court", country="BR",
                 clock=24, p_on=0.55, late=70, miss=0.0, emergency=0.0),
            dict(n=150, category="illegal_content", requester="user", country="BR",
                 clock=24, p_on=0.5, late=90, miss=0.05, emergency=0.0),
            dict(n=1100, category="spam", requester="user", country=other,
                 clock=72, p_on=0.7, late=120, miss=0.15, emergency=0.0),
            dict(n=260, category="illegal_content", requester="user", country=other,
                 clock=72, p_on=0.6, late=140, miss=0.10, emergency=0.0),
            dict(n=90, category="copyright", requester="user",
                 country={"US": 3, "GB": 1, "FR": 1, "DE": 1}, clock=72, p_on=0.6,
                 late=100, miss=0.05, emergency=0.0),
        ]
    return [
        dict(n=1150, category="personal_data_leak", requester="authority", country="IQ",
             clock=24, p_on=0.972, late=9, miss=0.002, emergency=0.15),
        dict(n=1050, category="personal_data_leak", requester="user", country="IQ",
             clock=24, p_on=0.90, late=30, miss=0.01, emergency=0.0),
        dict(n=800, category="illegal_content", requester="user", country="IQ",
             clock=48, p_on=0.90, late=40, miss=0.01, emergency=0.0),
        dict(n=160, category="government_order", requester="authority", country="IQ",
             clock=24, p_on=0.95, late=20, miss=0.0, emergency=0.1),
        dict(n=80, category="terrorist_content", requester="authority", country="IQ",
             clock=1, p_on=0.95, late=2, miss=0.0, emergency=0.6),
        dict(n=90, category="court_order", requester="court", country="IQ",
             clock=24, p_on=0.97, late=12, miss=0.0, emergency=0.0),
        dict(n=640, category="illegal_content", requester="user", country="DE",
             clock=24, p_on=0.93, late=30, miss=0.0, emergency=0.0),
        dict(n=330, category="hate_speech", requester="user", country="DE",
             clock=24, p_on=0.92, late=30, miss=0.0, emergency=0.0),
        dict(n=36, category="terrorist_content", requester="authority",
             country={"DE": 3, "FR": 2, "NL": 1}, clock=1, p_on=0.97, late=1, miss=0.0,
             emergency=0.8),
        dict(n=300, category="illegal_content", requester="trusted_flagger",
             country={"DE": 3, "FR": 2, "NL": 1}, clock=24, p_on=0.95, late=20, miss=0.0,
             emergency=0.0),
        dict(n=330, category="illegal_content", requester="user",
             country={"FR": 4, "IT": 2, "ES": 1, "NL": 1, "PL": 1}, clock=24, p_on=0.92,
             late=30, miss=0.0, emergency=0.0),
        dict(n=190, category="ncii", requester="user",
             country={"FR": 2, "DE": 2, "IN": 4, "BR": 1, "TR": 1}, clock=24, p_on=0.96,
             late=12, miss=0.0, emergency=0.3),
        dict(n=120, category="government_order", requester="authority", country="IN",
             clock=36, p_on=0.95, late=20, miss=0.0, emergency=0.1),
        dict(n=70, category="court_order", requester="court", country="IN",
             clock=36, p_on=0.96, late=20, miss=0.0, emergency=0.0),
        dict(n=380, category="illegal_content", requester="user", country="IN",
             clock=72, p_on=0.94, late=40, miss=0.0, emergency=0.0),
        dict(n=130, category="government_order", requester="authority", country="TR",
             clock=4, p_on=0.9, late=6, miss=0.0, emergency=0.25),
        dict(n=100, category="court_order", requester="court", country="TR",
             clock=24, p_on=0.95, late=12, miss=0.0, emergency=0.0),
        dict(n=240, category="illegal_content", requester="user", country="TR",
             clock=48, p_on=0.96, late=20, miss=0.0, emergency=0.0),
        dict(n=60, category="court_order", requester="court", country="BR",
             clock=24, p_on=0.95, late=12, miss=0.0, emergency=0.0),
        dict(n=220, category="illegal_content", requester="user", country="BR",
             clock=24, p_on=0.9, late=30, miss=0.0, emergency=0.0),
        dict(n=1000, category="spam", requester="user", country=other,
             clock=72, p_on=0.9, late=60, miss=0.03, emergency=0.0),
        dict(n=300, category="illegal_content", requester="user", country=other,
             clock=72, p_on=0.88, late=60, miss=0.02, emergency=0.0),
        dict(n=110, category="copyright", requester="user",
             country={"US": 3, "GB": 1, "FR": 1, "DE": 1}, clock=72, p_on=0.9,
             late=60, miss=0.0, emergency=0.0),
    ]


def moderation_log(rng: random.Random, after_: bool, start: dt.datetime,
                   end: dt.datetime) -> list[dict[str, object]]:
    events = []
    for stream in moderation_streams(after_, start, end):
        w_start, w_end = stream.get("window", (start, end))
        for _ in range(stream["n"]):
            country = stream["country"]
            if isinstance(country, dict):
                country = weighted(rng, country)
            received = moment(rng, w_start, w_end)
            urgent = rng.random() < stream["emergency"]
            clock = stream["clock"] / 2 if urgent and stream["clock"] > 1 else stream["clock"]
            hours = delay(rng, clock, stream["p_on"], stream["late"], stream["miss"])
            actioned = after(received, hours, end)
            category = stream["category"]
            action = weighted(rng, ACTIONS[category]) if actioned else ""
            team = TEAMS.get(country, "ts_eu" if country in EU else "ts_global")
            if category == "spam" and actioned and rng.random() < 0.7:
                team = "automated"
            events.append({
                "_t": received, "received_at": stamp(received, country),
                "actioned_at": stamp(actioned, country), "category": category,
                "requester": stream["requester"], "action": action, "country": country,
                "urgency": "emergency" if urgent else "normal",
                "channel_id": f"ch_{rng.getrandbits(40):010x}", "decided_by": team,
            })
    events.sort(key=lambda e: (e["_t"], e["channel_id"]))
    for i, e in enumerate(events, 1):
        e["request_id"] = f"MOD-{start.year}-{i:06d}"
    return events


# ---------------------------------------------------------------------------------------------
# breaches
# ---------------------------------------------------------------------------------------------

BREACH_COLUMNS = ["incident_id", "occurred_at", "detected_at", "authority_notified_at",
                  "users_notified_at", "records_affected", "data_categories", "countries",
                  "high_risk", "cert_notified_at", "report_completed_at"]
DATA_CATEGORIES = {"phone_numbers": 6, "display_names": 5, "contacts": 3, "ip_addresses": 4,
                   "device_ids": 3, "messages": 1, "location": 1, "identity_documents": 1,
                   "email_addresses": 3, "payment_data": 1}
BREACH_COUNTRIES = {"IQ": 10, "IQ;DE": 3, "IQ;TR": 2, "IN": 4, "IN;IQ": 2, "TR": 3, "DE": 3,
                    "SA": 1, "JO": 1,
                    "DE;FR;NL": 2, "FR": 2, "BR": 2, "BR;IN;IQ": 1, "EG;IQ;JO;SA": 2,
                    "US": 1, "IQ;DE;FR;IN;TR;BR": 1}


def breaches_log(rng: random.Random, after_: bool, start: dt.datetime,
                 end: dt.datetime) -> list[dict[str, object]]:
    rows = []
    n = 240 if after_ else 150
    for _ in range(n):
        occurred = moment(rng, start, end - dt.timedelta(days=4))
        detected = occurred + dt.timedelta(seconds=round(
            rng.expovariate(1 / (30 if after_ else 160)) * 3600) + 300)
        if detected >= end:
            detected = occurred + dt.timedelta(hours=2)
        countries = weighted(rng, BREACH_COUNTRIES)
        first = countries.split(";")[0]
        records = int(10 ** rng.uniform(0.0, 5.7))
        cats = sorted({weighted(rng, DATA_CATEGORIES) for _ in range(rng.randint(1, 3))})
        high = records > 5000 or "identity_documents" in cats or "messages" in cats \
            or "location" in cats or "payment_data" in cats
        if after_:
            authority = after(detected, delay(rng, 72, 0.975, 30), end)
            # Turkish law asks for user notice of every account-security breach
            users = after(detected, delay(rng, 72, 0.95, 48), end) \
                if high or "TR" in countries else None
            cert = after(detected, delay(rng, 6, 0.95, 8), end) if "IN" in countries else None
            report = after(detected, delay(rng, 30 * 24, 0.97, 120), end)
        else:
            authority = after(detected, delay(rng, 72, 0.34, 260, p_missing=0.15), end)
            users = after(detected, delay(rng, 72, 0.2, 400, p_missing=0.4), end) \
                if high else None
            cert = after(detected, delay(rng, 6, 0.15, 90, p_missing=0.5), end) \
                if "IN" in countries else None
            report = after(detected, delay(rng, 30 * 24, 0.4, 900, p_missing=0.3), end)
        rows.append({
            "_t": occurred, "occurred_at": stamp(occurred, first),
            "detected_at": stamp(detected, first),
            "authority_notified_at": stamp(authority, first),
            "users_notified_at": stamp(users, first), "records_affected": records,
            "data_categories": ";".join(cats), "countries": countries,
            "high_risk": "yes" if high else "no", "cert_notified_at": stamp(cert, "IN"),
            "report_completed_at": stamp(report, first),
        })
    rows.sort(key=lambda r: (r["_t"], r["countries"], r["records_affected"]))
    for i, r in enumerate(rows, 1):
        r["incident_id"] = f"INC-{start.year}-{i:04d}"
    return rows


# ---------------------------------------------------------------------------------------------
# data-subject requests
# ---------------------------------------------------------------------------------------------

DSR_COLUMNS = ["request_id", "received_at", "completed_at", "kind", "outcome", "country",
               "extended"]
DSR_KINDS = {"access": 45, "erasure": 35, "rectification": 12, "portability": 5, "objection": 3}
DSR_COUNTRIES = {"IQ": 14, "DE": 12, "FR": 7, "IN": 8, "TR": 5, "BR": 4, "NL": 3, "IT": 2,
                 "ES": 2, "PL": 1, "SE": 1, "AT": 1, "BE": 1, "GB": 2, "US": 2, "EG": 2,
                 "SA": 1, "JO": 1}


def data_requests_log(rng: random.Random, after_: bool, start: dt.datetime,
                      end: dt.datetime) -> list[dict[str, object]]:
    rows = []
    n = 1100 if after_ else 700
    month = 30 * 24
    for _ in range(n):
        received = moment(rng, start, end)
        country = weighted(rng, DSR_COUNTRIES)
        kind = weighted(rng, DSR_KINDS)
        extended = False
        if after_:
            hours = delay(rng, month, 0.985, 300)
            if hours > month and rng.random() < 0.6:
                extended = True  # GDPR Art. 12(3) extension, notified to the requester
        else:
            hours = delay(rng, month, 0.68, 900, p_missing=0.05)
        completed = after(received, hours, end)
        if completed is None:
            outcome = ""
        else:
            outcome = weighted(rng, {"completed": 80, "partially_completed": 6, "refused": 5,
                                     "identity_not_verified": 9})
        rows.append({"_t": received, "received_at": stamp(received, country),
                     "completed_at": stamp(completed, country), "kind": kind,
                     "outcome": outcome, "country": country,
                     "extended": "yes" if extended else "no"})
    rows.sort(key=lambda r: (r["_t"], r["country"], r["kind"]))
    for i, r in enumerate(rows, 1):
        r["request_id"] = f"DSR-{start.year}-{i:05d}"
    return rows


# ---------------------------------------------------------------------------------------------
# authority requests
# ---------------------------------------------------------------------------------------------

AUTH_COLUMNS = ["request_id", "authority", "country", "received_at", "responded_at", "kind",
                "legal_basis", "outcome"]
AUTHORITIES = {
    "IQ": {"IQ Ministry of Communications": 3, "IQ Communications and Media Commission": 2,
           "IQ Ministry of Interior, cybercrime directorate": 4,
           "IQ National Security Service": 2, "IQ Investigative Court, Baghdad Rusafa": 1,
           "IQ Investigative Court, Baghdad Karkh": 1},
    "DE": {"DE Bundeskriminalamt": 2, "DE Landeskriminalamt Berlin": 1,
           "DE Staatsanwaltschaft Köln": 1},
    "FR": {"FR Police nationale, OFAC": 2, "FR Parquet de Paris": 1},
    "IN": {"IN Ministry of Electronics and IT": 1, "IN Delhi Police cyber cell": 2,
           "IN Indian Cyber Crime Coordination Centre": 1},
    "TR": {"TR Information and Communication Technologies Authority": 2,
           "TR Istanbul Criminal Judgeship of Peace": 1},
    "BR": {"BR Polícia Federal": 1, "BR Tribunal de Justiça de São Paulo": 1},
    "US": {"US Department of Justice (MLAT)": 1},
    "EG": {"EG Ministry of Interior": 1},
    "JO": {"JO Public Security Directorate": 1},
}
AUTH_COUNTRIES = {"IQ": 46, "DE": 12, "FR": 7, "IN": 12, "TR": 9, "BR": 6, "US": 3, "EG": 3,
                  "JO": 2}
COURTS = ("Court", "Judgeship", "Tribunal", "Parquet", "Staatsanwaltschaft")


def authority_requests_log(rng: random.Random, after_: bool, start: dt.datetime,
                           end: dt.datetime) -> list[dict[str, object]]:
    rows = []
    n = 620 if after_ else 420
    for _ in range(n):
        received = moment(rng, start, end)
        country = weighted(rng, AUTH_COUNTRIES)
        authority = weighted(rng, AUTHORITIES[country])
        is_court = any(word in authority for word in COURTS)
        kind = weighted(rng, {"user_data": 60, "content_removal": 15, "preservation": 15,
                              "emergency_disclosure": 10})
        if country in ("US",):
            basis = "mlat"
        elif is_court:
            basis = "judicial_decision"
        elif country == "IQ":
            basis = weighted(rng, {"judicial_decision": 12, "administrative": 63, "none": 25}
                             if not after_ else
                             {"judicial_decision": 58, "administrative": 32, "none": 10})
        else:
            basis = weighted(rng, {"judicial_decision": 55, "administrative": 35, "mlat": 5,
                                   "none": 5})
        if kind == "emergency_disclosure":
            basis = "none" if not is_court else basis
        # outcome: the policy question the Iraqi constitution (Art. 40) settles
        if kind == "preservation":
            outcome = "preserved"
        elif kind == "content_removal":
            outcome = weighted(rng, {"actioned": 8, "rejected": 2})
        elif kind == "emergency_disclosure":
            outcome = weighted(rng, {"disclosed": 6, "rejected": 3, "no_data": 1})
        elif after_ and country == "IQ" and basis != "judicial_decision":
            outcome = "rejected"  # returned with a request for a judicial decision
        elif basis in ("judicial_decision", "mlat"):
            outcome = weighted(rng, {"disclosed": 8, "partially_disclosed": 1, "no_data": 1})
        elif after_:
            outcome = weighted(rng, {"rejected": 7, "no_data": 2, "disclosed": 1})
        else:
            outcome = weighted(rng, {"disclosed": 7, "partially_disclosed": 1, "rejected": 1,
                                     "no_data": 1})
        if after_ and country == "IQ" and outcome in ("disclosed", "partially_disclosed") \
                and basis != "judicial_decision":
            outcome = "rejected"
        clock = 4 if kind == "emergency_disclosure" else 48
        hours = (delay(rng, clock, 0.9, 40, p_missing=0.01) if after_
                 else delay(rng, clock, 0.5, 160, p_missing=0.05))
        responded = after(received, hours, end)
        rows.append({"_t": received, "authority": authority, "country": country,
                     "received_at": stamp(received, country),
                     "responded_at": stamp(responded, country), "kind": kind,
                     "legal_basis": basis, "outcome": outcome if responded else "pending"})
    rows.sort(key=lambda r: (r["_t"], r["country"], r["authority"]))
    for i, r in enumerate(rows, 1):
        r["request_id"] = f"LE-{start.year}-{i:05d}"
    return rows


# ---------------------------------------------------------------------------------------------
# documents, answers, waivers
# ---------------------------------------------------------------------------------------------

PRIVACY_AR_2020 = """\
سياسة الخصوصية - رافدين جات (ترجمة، شباط 2020)

هذه وثيقة نموذجية لمنصة خيالية.
نجمع رقم الهاتف والاسم الظاهر وجهات الاتصال التي تختار مزامنتها.
قد نشارك البيانات مع الجهات الحكومية عند الطلب.
للاستفسار: privacy@rafidain-chat.example.com
"""

PRIVACY_AR_2024 = """\
سياسة الخصوصية - رافدين جات (الإصدار 4، شباط 2024)

هذه وثيقة نموذجية لمنصة خيالية.
1. البيانات التي نجمعها: رقم الهاتف، الاسم الظاهر، وجهات الاتصال التي تختار مزامنتها.
2. مدة الاحتفاظ: سجلات الدخول 180 يوماً، بيانات الرسائل الوصفية 90 يوماً.
3. لا نكشف هوية المستخدمين أو اتصالاتهم للسلطات العراقية إلا بقرار قضائي
   (المادة 40 من الدستور).
4. الإبلاغ عن نشر البيانات الشخصية: من داخل التطبيق أو عبر privacy@rafidain-chat.example.com
   ونغلق القنوات التي تنشر بيانات شخصية خلال 24 ساعة.
5. حقوقكم: الاطلاع والتصحيح والحذف.
"""

PRIVACY_KU_2024 = """\
سیاسەتی تایبەتمەندی - ڕافیدەین چات (وەشانی 4، 2024)

ئەمە بەڵگەنامەیەکی نموونەییە بۆ پلاتفۆرمێکی خەیاڵی.
پەیوەندی: privacy@rafidain-chat.example.com
"""


def _doc(title: str, *lines: str) -> str:
    body = "\n".join(lines)
    return f"{title}\n{'=' * len(title)}\n\nFictional example document for Rafidain Chat, " \
           f"an invented platform.\n\n{body}\n"


def documents(after_: bool) -> list[dict[str, object]]:
    """Each: path, kind, title, date, language, text."""
    docs = [
        dict(path="policies/privacy-policy-en-2021.md", kind="privacy_policy",
             title="Privacy policy (version 2)", date=dt.date(2021, 5, 10), language="en",
             text=_doc("Rafidain Chat privacy policy, version 2 (May 2021)",
                       "We collect phone numbers, display names and synced contacts.",
                       "We may share data with government agencies on request.",
                       "Contact: privacy@rafidain-chat.example.com")),
        dict(path="policies/privacy-policy-ar-2020.md", kind="privacy_policy",
             title="سياسة الخصوصية (ترجمة 2020)", date=dt.date(2020, 2, 1), language="ar",
             text=PRIVACY_AR_2020),
        dict(path="policies/terms-of-service-en-2021.md", kind="terms_of_service",
             title="Terms of service (2021)", date=dt.date(2021, 5, 10), language="en",
             text=_doc("Rafidain Chat terms of service (May 2021)",
                       "Do not post other people's personal data without consent.",
                       "We may remove content and close channels that break these terms.")),
        dict(path="procedures/government-requests-2022.md", kind="law_enforcement_policy",
             title="Handling government requests (2022)", date=dt.date(2022, 4, 1),
             language="en",
             text=_doc("Handling government requests (April 2022)",
                       "Requests from any government agency are answered by the legal team.",
                       "A written request from a ministry is sufficient for disclosure of "
                       "subscriber data.")),
    ]
    if not after_:
        return docs
    docs += [
        dict(path="policies/privacy-policy-ar-2024.md", kind="privacy_policy",
             title="سياسة الخصوصية (الإصدار 4)", date=dt.date(2024, 2, 15), language="ar",
             text=PRIVACY_AR_2024),
        dict(path="policies/privacy-policy-en-2024.md", kind="privacy_policy",
             title="Privacy policy (version 4)", date=dt.date(2024, 2, 15), language="en",
             text=_doc("Rafidain Chat privacy policy, version 4 (February 2024)",
                       "1. Data we collect: phone number, display name, contacts you sync.",
                       "2. Retention: access logs 180 days, message metadata 90 days.",
                       "3. We disclose Iraqi users' identities or communications only on a "
                       "judicial decision (Constitution of Iraq, Art. 40).",
                       "4. Report leaked personal data in the app; we close leaking channels "
                       "within 24 hours.",
                       "5. Your rights: access, rectification, erasure, portability.")),
        dict(path="policies/privacy-policy-ku-2024.md", kind="privacy_policy",
             title="سیاسەتی تایبەتمەندی", date=dt.date(2024, 5, 2), language="ku",
             text=PRIVACY_KU_2024),
        dict(path="policies/terms-of-service-en-2024.md", kind="terms_of_service",
             title="Terms of service (2024)", date=dt.date(2024, 2, 15), language="en",
             text=_doc("Rafidain Chat terms of service (February 2024)",
                       "Content moderation: what we remove, how notices are handled, how to "
                       "appeal (six months), and the statement of reasons you receive.")),
        dict(path="policies/terms-of-service-ar-2024.md", kind="terms_of_service",
             title="شروط الخدمة (2024)", date=dt.date(2024, 2, 15), language="ar",
             text="شروط الخدمة - رافدين جات (2024)\n\nهذه وثيقة نموذجية لمنصة خيالية.\n"
                  "يُمنع نشر البيانات الشخصية للآخرين دون موافقتهم.\n"),
        dict(path="procedures/judicial-disclosure-policy-2023.md",
             kind="law_enforcement_policy", title="Disclosure to Iraqi authorities only on a "
             "judicial decision", date=dt.date(2023, 10, 2), language="en",
             text=_doc("Disclosure of user data to Iraqi authorities (October 2023)",
                       "User identities, metadata and communications of Iraqi users are "
                       "disclosed only against a decision of an Iraqi investigative court.",
                       "Requests without one are returned, asking for the decision.",
                       "Every request is logged with its legal basis.")),
        dict(path="procedures/leak-channel-queue.md", kind="procedure",
             title="24/7 queue for leak-channel requests", date=dt.date(2023, 9, 20),
             language="en",
             text=_doc("24/7 queue for requests about channels leaking personal data",
                       "Arabic- and Kurdish-speaking reviewers in Baghdad and Erbil, "
                       "three shifts; target: closed within 24 hours.")),
        dict(path="procedures/breach-response-2024.md", kind="breach_procedure",
             title="Breach response and notification", date=dt.date(2024, 1, 10),
             language="en",
             text=_doc("Personal-data breach response (January 2024)",
                       "Notify the lead authority within 72 hours of detection, CERT-In "
                       "within 6 hours, affected users without undue delay when the risk is "
                       "high; keep a register of every breach.")),
        dict(path="procedures/security-measures-2024.md", kind="security_policy",
             title="Technical and organisational security measures", date=dt.date(2024, 3, 1),
             language="en",
             text=_doc("Security measures (March 2024)",
                       "Encryption in transit and at rest, secret chats end-to-end encrypted, "
                       "access reviews each quarter, penetration test each year.")),
        dict(path="procedures/foreign-orders-mlat.md", kind="law_enforcement_policy",
             title="Foreign disclosure orders via MLAT", date=dt.date(2023, 11, 6),
             language="en",
             text=_doc("Foreign orders for EU users' data (November 2023)",
                       "Orders from third-country authorities for EU users' data are answered "
                       "only through a mutual legal assistance treaty or another international "
                       "agreement (GDPR Art. 48).")),
        dict(path="procedures/transfer-mechanisms.md", kind="transfer_assessment",
             title="International transfers: SCCs and transfer impact assessment",
             date=dt.date(2024, 4, 12), language="en",
             text=_doc("International transfers (April 2024)",
                       "Standard contractual clauses with the UAE parent and the Iraqi and "
                       "Indian affiliates; transfer impact assessments on file.")),
        dict(path="procedures/notice-and-action.md", kind="procedure",
             title="Notice and action, statements of reasons, orders", date=dt.date(2024, 2, 1),
             language="en",
             text=_doc("Notice and action (February 2024)",
                       "Electronic notice form; confirmation of receipt; statement of reasons "
                       "to the affected user; feedback to authorities on orders; trusted "
                       "flaggers' notices first; threats to life escalated to the police; "
                       "repeat infringers suspended after warnings.")),
        dict(path="records/records-of-processing-2024.md", kind="records_of_processing",
             title="Records of processing activities", date=dt.date(2024, 6, 30), language="en",
             text=_doc("Records of processing (June 2024)",
                       "Accounts, contacts sync, messaging, channels, moderation, support.")),
        dict(path="records/dpia-channels-2023.md", kind="dpia",
             title="DPIA: public channels and contact discovery", date=dt.date(2023, 11, 20),
             language="en",
             text=_doc("DPIA: public channels and contact discovery (November 2023)",
                       "Risks of doxxing in public channels; mitigations: leak-report "
                       "category, 24/7 queue, rate limits on contact discovery.")),
        dict(path="reports/transparency-report-2023h2.md", kind="transparency_report",
             title="Transparency report, second half of 2023", date=dt.date(2024, 1, 31),
             language="en",
             text=_doc("Transparency report H2 2023", "Requests received and actioned, by "
                       "country and category; disclosures by legal basis.")),
        dict(path="reports/transparency-report-2024h1.md", kind="transparency_report",
             title="Transparency report, first half of 2024", date=dt.date(2024, 7, 31),
             language="en",
             text=_doc("Transparency report H1 2024", "Requests received and actioned, by "
                       "country and category; disclosures by legal basis.")),
        dict(path="reports/dsa-transparency-report-2024.md", kind="dsa_transparency_report",
             title="DSA transparency report 2024", date=dt.date(2024, 10, 28), language="en",
             text=_doc("DSA transparency report (October 2024)",
                       "Orders, notices, own-initiative moderation, complaints, automated "
                       "means, human resources.")),
        dict(path="reports/tco-transparency-report-2023.md", kind="tco_transparency_report",
             title="TCO transparency report 2023", date=dt.date(2024, 2, 29), language="en",
             text=_doc("TCO transparency report 2023",
                       "Removal orders received and executed within one hour.")),
        dict(path="reports/eu-recipients-2024-02.md", kind="dsa_recipients_publication",
             title="Average monthly active recipients in the EU (Feb 2024)",
             date=dt.date(2024, 2, 16), language="en",
             text=_doc("EU recipients, February 2024", "Average monthly active recipients in "
                       "the EU over the past six months: below 45 million.")),
        dict(path="reports/eu-recipients-2024-08.md", kind="dsa_recipients_publication",
             title="Average monthly active recipients in the EU (Aug 2024)",
             date=dt.date(2024, 8, 16), language="en",
             text=_doc("EU recipients, August 2024", "Average monthly active recipients in "
                       "the EU over the past six months: below 45 million.")),
        dict(path="procedures/content-request-review.md", kind="procedure",
             title="Review of Iraqi content-restriction requests", date=dt.date(2023, 10, 2),
             language="en",
             text=_doc("Review of content-restriction requests from Iraq (October 2023)",
                       "Leaked personal data, private life and incitement: closed within 24 "
                       "hours. Other requests: legal review against Iraqi law and our terms; "
                       "political speech is escalated, never removed on request alone.")),
        dict(path="procedures/staff-confidentiality.md", kind="procedure",
             title="Staff confidentiality undertakings", date=dt.date(2024, 1, 8),
             language="en",
             text=_doc("Staff confidentiality (January 2024)",
                       "Every reviewer signs a confidentiality undertaking; access to user "
                       "data is logged and reviewed monthly.")),
        dict(path="procedures/orders-brazil.md", kind="procedure",
             title="Court orders, NCII notices and extrajudicial notices (Brazil)",
             date=dt.date(2024, 3, 1), language="pt",
             text=_doc("Ordens judiciais e notificações (Brasil, março de 2024)",
                       "Dados de usuários só com ordem judicial (Marco Civil, art. 10 e 22).",
                       "Imagens íntimas não consentidas removidas após notificação da vítima "
                       "(art. 21).", "Material de abuso infantil removido e comunicado às "
                       "autoridades.")),
        dict(path="procedures/orders-turkey.md", kind="procedure",
             title="Turkey: prosecutor cooperation and data localisation",
             date=dt.date(2024, 2, 1), language="tr",
             text=_doc("Türkiye: savcılık işbirliği ve veri yerelleştirme (Şubat 2024)",
                       "Türkiye'deki kullanıcıların verileri Türkiye'de saklanır.",
                       "Acil kararlar 4 saat içinde uygulanır.")),
        dict(path="records/tr-verbis-registration.md", kind="registration",
             title="VERBIS registration confirmation (Turkey)", date=dt.date(2024, 2, 20),
             language="en",
             text=_doc("VERBIS registration (February 2024)",
                       "Registered as a data controller with the Turkish DPA's registry.")),
        dict(path="reports/transparency-report-tr-2024h1.md", kind="transparency_report_tr",
             title="Law 5651 report, first half of 2024", date=dt.date(2024, 7, 31),
             language="tr",
             text=_doc("5651 sayılı Kanun raporu, 2024 ilk yarı (kurgusal)",
                       "Kaldırma ve erişim engelleme talepleri.")),
        dict(path="reports/transparency-report-tr-2024h2.md", kind="transparency_report_tr",
             title="Law 5651 report, second half of 2024", date=dt.date(2024, 12, 20),
             language="tr",
             text=_doc("5651 sayılı Kanun raporu, 2024 ikinci yarı (kurgusal)",
                       "Kaldırma ve erişim engelleme talepleri.")),
        dict(path="reports/transparency-report-br-2024.md", kind="transparency_report_br",
             title="Relatório de transparência 2024 (Brasil)", date=dt.date(2024, 4, 30),
             language="pt",
             text=_doc("Relatório de transparência 2024 (fictício)",
                       "Ordens judiciais e notificações recebidas e atendidas.")),
        dict(path="reports/transparency-report-tr-2023h2.md", kind="transparency_report_tr",
             title="Law 5651 report, second half of 2023", date=dt.date(2024, 1, 31),
             language="tr",
             text=_doc("5651 sayılı Kanun raporu, 2023 ikinci yarı (kurgusal)",
                       "Kaldırma ve erişim engelleme talepleri.")),
        dict(path="reports/netzdg-report-2024-final.md", kind="netzdg_report",
             title="NetzDG report, 1 January to 13 May 2024 (final)", date=dt.date(2024, 7, 31),
             language="de",
             text=_doc("NetzDG-Bericht 1.1.-13.5.2024, letzter Bericht (fiktiv)",
                       "Beschwerden, Entscheidungen und Fristen nach § 3 NetzDG; seit dem "
                       "14.5.2024 gilt der DSA.")),
        *[dict(path=f"reports/in-compliance-report-2024-{m:02d}.md",
               kind="compliance_report_in",
               title=f"IT Rules monthly compliance report, 2024-{m:02d}",
               date=dt.date(2024, m + 1, 7),
               language="en",
               text=_doc(f"IT Rules r.4(1)(d) compliance report, 2024-{m:02d}",
                         "Grievances received and resolved; content removed proactively."))
          for m in range(6, 12)],
        dict(path="reports/netzdg-report-2023h2.md", kind="netzdg_report",
             title="NetzDG report, second half of 2023", date=dt.date(2024, 1, 31),
             language="de",
             text=_doc("NetzDG-Bericht 2. Halbjahr 2023 (fiktiv)",
                       "Beschwerden, Entscheidungen und Fristen nach § 3 NetzDG.")),
    ]
    return docs


def answers(after_: bool) -> dict[str, dict[str, object]]:
    """Attestations. Keys must be requirement ids or evidence keys of installed checklists."""
    if not after_:
        who, on = "Karim Al-Mithali, general counsel", dt.date(2023, 8, 28)
        return {
            "disclosure-policy-judicial": {
                "answer": "no", "document": "procedures/government-requests-2022.md",
                "note": "a written ministry request is enough for subscriber data",
                "by": who, "date": on},
            "security-measures": {"answer": "partial", "by": who, "date": on,
                                  "note": "no written policy; encryption in transit only"},
            "breach-register": {"answer": "no", "by": who, "date": on},
            "breach-user-notice-procedure": {"answer": "no", "by": who, "date": on},
            "foreign-orders-via-mlat": {"answer": "no", "by": who, "date": on,
                                        "note": "foreign requests handled like local ones"},
            "transfer-mechanisms": {"answer": "partial", "by": who, "date": on,
                                    "note": "SCCs with the US host only"},
            "privacy-by-default": {"answer": "partial", "by": who, "date": on,
                                   "note": "phone number visible to contacts by default"},
            "dsa-notice-mechanism": {"answer": "partial", "by": who, "date": on,
                                     "note": "in-app report button, no confirmation of "
                                             "receipt"},
            "dsa-statement-of-reasons": {"answer": "no", "by": who, "date": on},
            "tco-preservation-months": {"answer": 3, "by": who, "date": on},
            "iq-disclosure-judicial-only": {
                "answer": "no", "document": "procedures/government-requests-2022.md",
                "by": who, "date": on},
            "iq-privacy-reporting": {"answer": "partial", "by": who, "date": on,
                                     "note": "generic report button; no leak category"},
            "iq-private-life-removal": {"answer": "partial", "by": who, "date": on,
                                        "note": "handled in the general queue, no clock"},
            "in-first-originator-capability": {"answer": "no", "by": who, "date": on},
            "tr-data-localisation": {"answer": "no", "by": who, "date": on,
                                     "note": "all data hosted in the Netherlands and the US"},
            "br-court-order-disclosure": {"answer": "partial", "by": who, "date": on,
                                          "note": "police requests sometimes answered "
                                                  "without an order"},
        }
    who, on = "Karim Al-Mithali, general counsel", dt.date(2024, 12, 16)
    return {
        "disclosure-policy-judicial": {
            "answer": "yes", "document": "procedures/judicial-disclosure-policy-2023.md",
            "note": "adopted by the board on 2 October 2023", "by": who, "date": on},
        "security-measures": {"answer": "yes", "document": "procedures/security-measures-2024.md",
                              "by": who, "date": on},
        "breach-register": {"answer": "yes", "document": "procedures/breach-response-2024.md",
                            "by": who, "date": on},
        "breach-user-notice-procedure": {"answer": "yes",
                                         "document": "procedures/breach-response-2024.md",
                                         "by": who, "date": on},
        "foreign-orders-via-mlat": {"answer": "yes",
                                    "document": "procedures/foreign-orders-mlat.md",
                                    "by": who, "date": on},
        "transfer-mechanisms": {"answer": "yes", "document": "procedures/transfer-mechanisms.md",
                                "by": who, "date": on},
        "privacy-by-default": {"answer": "yes", "document": "records/dpia-channels-2023.md",
                               "note": "phone number hidden from non-contacts by default",
                               "by": who, "date": on},
        "dsa-notice-mechanism": {"answer": "yes", "document": "procedures/notice-and-action.md",
                                 "by": who, "date": on},
        "dsa-statement-of-reasons": {"answer": "yes",
                                     "document": "procedures/notice-and-action.md",
                                     "by": who, "date": on},
        "dsa-order-feedback": {"answer": "yes", "document": "procedures/notice-and-action.md",
                               "by": who, "date": on},
        "dsa-threat-to-life-escalation": {"answer": "yes",
                                          "document": "procedures/notice-and-action.md",
                                          "by": who, "date": on},
        "dsa-repeat-infringer-policy": {"answer": "yes",
                                        "document": "procedures/notice-and-action.md",
                                        "by": who, "date": on},
        "dsa-trusted-flagger-priority": {"answer": "yes", "by": who, "date": on},
        "dsa-user-contact-human": {"answer": "yes", "by": who, "date": on},
        "dsa-sor-database-submission": {"answer": "yes", "by": who, "date": on,
                                        "note": "daily batch submission since March 2024"},
        "dsa-no-profiling-ads-minors": {"answer": "yes", "by": who, "date": on},
        "dsa-complaint-window-months": {"answer": 6, "by": who, "date": on},
        "tco-preservation-months": {"answer": 6, "by": who, "date": on},
        "tco-imminent-threat-alert": {"answer": "yes",
                                      "document": "procedures/notice-and-action.md",
                                      "by": who, "date": on},
        "netzdg-recipient-displayed": {"answer": "yes", "by": who, "date": on,
                                       "note": "shown in the app's legal notice"},
        # Iraq (federal law and the Kurdistan Region)
        "iq-disclosure-judicial-only": {
            "answer": "yes", "document": "procedures/judicial-disclosure-policy-2023.md",
            "by": who, "date": on},
        "iq-privacy-reporting": {"answer": "yes", "document": "procedures/leak-channel-queue.md",
                                 "by": who, "date": on},
        "iq-private-life-removal": {"answer": "yes",
                                    "document": "procedures/leak-channel-queue.md",
                                    "by": who, "date": on},
        "iq-content-request-review": {"answer": "yes",
                                      "document": "procedures/content-request-review.md",
                                      "by": who, "date": on},
        "iq-staff-confidentiality": {"answer": "yes",
                                     "document": "procedures/staff-confidentiality.md",
                                     "by": who, "date": on},
        "iq-cmc-licensing": {"answer": "partial", "by": who, "date": on,
                             "note": "application filed with the CMC in October 2024"},
        "kri-private-content-removal": {"answer": "yes",
                                        "document": "procedures/leak-channel-queue.md",
                                        "by": who, "date": on},
        "kri-police-requests": {"answer": "yes",
                                "document": "procedures/judicial-disclosure-policy-2023.md",
                                "by": who, "date": on},
        "iq-cybercrime-bill-watch": {"answer": "yes", "by": who, "date": on},
        "iq-expression-bill-watch": {"answer": "yes", "by": who, "date": on},
        "iq-cmc-content-regulation-watch": {"answer": "yes", "by": who, "date": on},
        "kri-social-media-draft-watch": {"answer": "yes", "by": who, "date": on},
        # Gulf
        "ae-breach-notice": {"answer": "yes", "document": "procedures/breach-response-2024.md",
                             "by": who, "date": on},
        "ae-transfer-grounds": {"answer": "yes", "by": who, "date": on},
        "sa-transfer-grounds": {"answer": "yes", "document": "procedures/transfer-mechanisms.md",
                                "by": who, "date": on},
        # India
        "in-dpdp-initial-notice": {"answer": "yes",
                                   "document": "procedures/breach-response-2024.md",
                                   "by": who, "date": on},
        "in-dpdp-security-safeguards": {"answer": "yes",
                                        "document": "procedures/security-measures-2024.md",
                                        "by": who, "date": on},
        "in-dpdp-children": {"answer": "partial", "by": who, "date": on,
                             "note": "verifiable parental consent in pilot"},
        "in-dpdp-transfer-restrictions": {"answer": "yes", "by": who, "date": on},
        "in-first-originator-capability": {
            "answer": "partial", "document": "procedures/notice-and-action.md",
            "note": "possible for public channels and groups; not for end-to-end encrypted "
                    "secret chats", "by": who, "date": on},
        "in-proactive-csam-tools": {"answer": "yes", "by": who, "date": on},
        "in-physical-address": {"answer": "yes", "by": who, "date": on},
        "in-voluntary-verification": {"answer": "yes", "by": who, "date": on},
        "in-notice-before-removal": {"answer": "yes", "by": who, "date": on},
        "in-synthetic-content-labels": {"answer": "no", "by": who, "date": on},
        "in-grievance-ack-hours": {"answer": 24, "by": who, "date": on},
        "in-grievance-resolution-days": {"answer": 10, "by": who, "date": on},
        "in-logs-stored-in-india": {"answer": "yes", "by": who, "date": on},
        "in-ntp-sync": {"answer": "yes", "by": who, "date": on},
        "in-nodal-contact-24x7": {"answer": "yes", "by": who, "date": on},
        # Turkey
        "tr-transfer-grounds": {"answer": "yes", "document": "procedures/transfer-mechanisms.md",
                                "by": who, "date": on},
        "tr-scc-filing-business-days": {"answer": 5, "by": who, "date": on},
        "tr-verbis-registration": {"answer": "yes",
                                   "document": "records/tr-verbis-registration.md",
                                   "by": who, "date": on},
        "tr-data-localisation": {"answer": "yes", "document": "procedures/orders-turkey.md",
                                 "by": who, "date": on},
        "tr-prosecutor-cooperation": {"answer": "yes", "document": "procedures/orders-turkey.md",
                                      "by": who, "date": on},
        # Brazil
        "br-incident-register": {"answer": "yes",
                                 "document": "procedures/breach-response-2024.md",
                                 "by": who, "date": on},
        "br-incident-register-years": {"answer": 5, "by": who, "date": on},
        "br-transfer-grounds": {"answer": "yes", "document": "procedures/transfer-mechanisms.md",
                                "by": who, "date": on},
        "br-court-order-disclosure": {"answer": "yes", "document": "procedures/orders-brazil.md",
                                      "by": who, "date": on},
        "br-ncii-on-notice": {"answer": "yes", "document": "procedures/orders-brazil.md",
                              "by": who, "date": on},
        "br-extrajudicial-notice-handling": {"answer": "yes",
                                             "document": "procedures/orders-brazil.md",
                                             "by": who, "date": on},
        "br-child-abuse-report": {"answer": "yes", "document": "procedures/orders-brazil.md",
                                  "by": who, "date": on},
        "br-guardian-linked-account-age": {"answer": 16, "by": who, "date": on},
    }


def waivers() -> list[dict[str, object]]:
    return [
        {"requirement": "iq.telegram-2023:official-contact",
         "justification": "The Iraq liaison (Zaid Al-Mithali) is named; the dedicated 24/7 "
                          "address and hotline agreed with the Ministry of Communications "
                          "go live when the Baghdad office's secure line is installed. Until "
                          "then requests reach him through the government requests team.",
         "approved_by": "Mariam Al-Mithali, chief compliance officer",
         "granted": dt.date(2024, 11, 20), "expires": dt.date(2025, 3, 31)},
        {"requirement": "iq.telegram-2023:privacy-policy-ar",
         "justification": "Revised Arabic privacy policy under review by Iraqi counsel; "
                          "publication planned for February 2024.",
         "approved_by": "Mariam Al-Mithali, chief compliance officer",
         "granted": dt.date(2023, 9, 15), "expires": dt.date(2024, 3, 31)},
    ]


# ---------------------------------------------------------------------------------------------
# writing a pack
# ---------------------------------------------------------------------------------------------

HEADER = ("Generated by examples/generate.py: fictional data for the bundled examples.\n"
          "Do not edit by hand; change the script and rerun it.")


def write_pack(root: Path, after_: bool) -> None:
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    profile = platform_profile(after_)
    start, end = ((utc(2024, 1, 1), utc(2025, 1, 1)) if after_
                  else (utc(2023, 1, 1), utc(2023, 9, 1)))
    rng = random.Random(f"{SEED}-{'after' if after_ else 'before'}")

    situation = ("after remediation, as of 2024-12-31" if after_
                 else "before the negotiation with the Iraqi authorities, as of 2023-08-31")
    write_yaml(root / "platform.yaml", f"{HEADER}\n\nRafidain Chat, {situation}.", profile)
    write_yaml(root / "answers.yaml", f"{HEADER}\n\nAttestations by the platform.",
               answers(after_))
    docs = documents(after_)
    index = []
    for d in docs:
        write_text(root / "documents" / d["path"], d["text"])
        index.append({k: d[k] for k in ("path", "kind", "title", "date", "language")})
    write_yaml(root / "documents.yaml", f"{HEADER}\n\nIndex of documents/.",
               {"documents": index})
    if after_:
        write_yaml(root / "waivers.yaml", f"{HEADER}\n\nAccepted exceptions: one active, one "
                   "expired (kept for the record).", {"waivers": waivers()})

    logs = root / "logs"
    write_csv(logs / "moderation.csv", MOD_COLUMNS, moderation_log(rng, after_, start, end))
    write_csv(logs / "breaches.csv", BREACH_COLUMNS, breaches_log(rng, after_, start, end))
    write_csv(logs / "data_requests.csv", DSR_COLUMNS,
              data_requests_log(rng, after_, start, end))
    write_csv(logs / "authority_requests.csv", AUTH_COLUMNS,
              authority_requests_log(rng, after_, start, end))


def generate(out_dir: Path) -> list[Path]:
    """Write both packs under ``out_dir``; returns their directories."""
    out_dir = Path(out_dir)
    roots = [out_dir / name for name in PACKS]
    for root, after_ in zip(roots, (False, True), strict=False):
        write_pack(root, after_)
    return roots


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else HERE
    for root in generate(out):
        files = sorted(p for p in root.rglob("*") if p.is_file())
        size = sum(p.stat().st_size for p in files)
        print(f"{root}: {len(files)} files, {size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
