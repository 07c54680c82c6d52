"""The characters the JUnit report drops are exactly those XML 1.0 forbids: its pattern lists
them (cheap to compile at every start) and must equal the complement of XML's ``Char``."""

from __future__ import annotations

import re

from audit.reports.junit import XML_FORBIDDEN, xml_text

XML_CHAR_COMPLEMENT = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def test_the_forbidden_characters_are_xmls_complement_over_every_code_point() -> None:
    every = "".join(chr(i) for i in range(0x110000))
    assert XML_FORBIDDEN.findall(every) == XML_CHAR_COMPLEMENT.findall(every)
    assert xml_text(every) == XML_CHAR_COMPLEMENT.sub("", every)


def test_tab_newline_return_and_astral_characters_stay() -> None:
    assert xml_text("a\tb\nc\rd\U0001F600\ufffd\x07\ud800\uffff") == "a\tb\nc\rd\U0001F600\ufffd"
