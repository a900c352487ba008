"""Summaries and briefings: the one-sentence checker and the sentence picker (units, real index), and the real
default model writing briefings over the seeds."""

import re

import pytest

from conftest import ANSWER_LLM, DOC_A, DOC_B
from rag import facts
from rag.briefing import Bullet
from rag.bullets import check_line
from rag import verify
from rag.verify import Kind
from rag.evaluate_digests import _cited_context
from rag.lang import detect_question
from rag.salience import Pick, SentencePicker, usable

TRADE = Pick(DOC_A, 0, 0, "Đánh giá về triển vọng hợp tác kinh tế, Đại sứ Khamphao Ernthavanh cho biết kim ngạch thương "
             "mại hai chiều Việt Nam – Lào đã đạt 2,6 tỷ USD trong năm 2025.", 0, 0.0, date="2026-02-04")
LEAD = Pick(DOC_A, 0, 0, "Theo Đại sứ Lào tại Việt Nam Khamphao Ernthavanh, chuyến thăm cấp Nhà nước tới Lào của Tổng Bí "
            "thư Tô Lâm diễn ra ngay sau Đại hội Đảng của hai nước.", 0, 0.0, date="2026-02-04")
ENDED = Pick(DOC_B, 0, 0, "Ngày 5/2, Tổng Bí thư Tô Lâm cùng Đoàn đại biểu cấp cao Việt Nam kết thúc tốt đẹp chuyến thăm "
             "cấp Nhà nước tới Lào.", 0, 0.0, date="2026-02-06")


def test_checker_passes_a_faithful_cross_language_bullet():
    body, problems, n = check_line("Ambassador Khamphao Ernthavanh said two-way trade reached US$2.6 billion in 2025.", TRADE, "en")
    assert body and not problems and n >= 3
    body, problems, _ = check_line("On 5 February, General Secretary To Lam concluded his state visit to Laos.", ENDED, "en")
    assert body and not problems


@pytest.mark.parametrize("line,expect", [
    ("Two-way trade reached US$3.6 billion in 2025.", "3.6 billion"),  # wrong figure
    ("Two-way trade reached US$2.6 million in 2025.", "2.6 million"),  # wrong scale
    ("General Secretary Nguyen Phu Trong ended the visit on 5 February.", "Nguyen Phu Trong"),  # wrong person
])
def test_checker_refuses_a_fact_the_sentence_does_not_state(line, expect):
    src = TRADE if "trade" in line.lower() else ENDED
    body, problems, _ = check_line(line, src, "en")
    assert body is None and any(expect in p.span for p in problems), problems


@pytest.mark.parametrize("line,src,fixed", [
    ("On 5 February, President Tô Lâm concluded the state visit to Laos.", ENDED, "General Secretary Tô Lâm"),
    ("Tô Lâm, the Vietnamese president, ended his state visit to Laos on 5 February.", ENDED, "General Secretary"),
    ("The Vietnamese ambassador to Lao, Khamphao Ernthavanh, said the visit followed both party congresses.", LEAD,
     "The ambassador, Khamphao Ernthavanh"),
    ("Khamphao Ernthavanh, Ambassador of Vietnam, said trade reached US$2.6 billion in 2025.", TRADE,
     "Khamphao Ernthavanh, Ambassador, said"),
])
def test_titles_and_roles_are_facts_across_languages(line, src, fixed):
    """The errors of issue 11 — a wrong office, an envoy's countries swapped or added — are caught, and the line
    is repaired to what the sentence states rather than dropped."""
    assert facts.unsupported_roles(line, [src.text])
    body, problems, _ = check_line(line, src, "en")
    assert body is not None and fixed in body and not problems, (body, problems)
    assert facts.unsupported_roles(body, [src.text]) == []


def test_a_wrong_title_the_sentence_cannot_correct_is_refused():
    # the sentence names no office for him at all
    src = Pick(DOC_B, 0, 0, "Ông Khamphao Ernthavanh cho biết kim ngạch đạt 2,6 tỷ USD trong năm 2025.", 0, 0.0)
    body, problems, _ = check_line("President Khamphao Ernthavanh said trade reached US$2.6 billion in 2025.", src, "en")
    assert body is None and any(p.kind is Kind.OFFICE for p in problems)


def test_the_right_titles_pass_in_both_languages():
    assert facts.unsupported_roles("Lao Ambassador to Vietnam Khamphao Ernthavanh said so.", [LEAD.text]) == []
    assert facts.unsupported_roles("Laos's ambassador to Vietnam, Khamphao Ernthavanh, said so.", [LEAD.text]) == []
    assert facts.unsupported_roles("Đại sứ Việt Nam tại Lào Khamphao Ernthavanh cho biết.", [LEAD.text])


def test_an_english_title_quoted_in_a_vietnamese_line_is_not_mixed_language():
    """Found by the diagnostic run: verbatim Vietnamese lines quoting "Tomb of the Cybermen" counted as mixed."""
    assert facts.other_language_words("Năm 1967, Tomb of the Cybermen và Doctor Who và the Daleks ra mắt.", "vi") == []
    assert facts.other_language_words("Họ cũng plan tăng cường hợp tác với Lào năm 2026.", "vi") == ["plan"]


def test_mixed_language_and_filler_are_refused():
    body, problems, _ = check_line("Họ cũng plan tăng cường hợp tác với Lào năm 2026.", ENDED, "vi")
    assert body is None and any(p.kind is Kind.MIXED_LANGUAGE for p in problems)
    assert facts.other_language_words("General Secretary Tô Lâm ended his visit to Lào on 5 February.", "en") == ["Lào"]
    body, problems, _ = check_line("General Secretary Tô Lâm ended his visit to Lào on 5 February.", ENDED, "en")
    assert body is not None and "visit to Laos" in body  # a place written the Vietnamese way gets its English name
    body, problems, _ = check_line("The visit marks a new phase of the special relationship.", ENDED, "en")
    assert body is None and any(p.kind is Kind.NO_FACT for p in problems)


def test_usable_sentences_exclude_headings_captions_and_fragments():
    assert not usable("THÚC ĐẨY HỢP TÁC KINH TẾ, HƯỚNG TỚI MỤC TIÊU THƯƠNG MẠI 10 TỶ USD")
    assert not usable("Đại sứ Lào tại Việt Nam Khamphao Ernthavanh. Ảnh: TTXVN")
    assert not usable("Ảnh minh họa.")
    assert usable(TRADE.text)


def test_picker_covers_every_article_carries_the_figures_and_drops_a_superseded_plan(seeded_desk):
    picker = SentencePicker(seeded_desk.store)
    both, notes = picker.ranked([DOC_A, DOC_B])
    assert {p.doc_id for p in both[:2]} == {DOC_A, DOC_B}  # every article first
    top = " ".join(p.text for p in both[:8])
    assert "2,6 tỷ USD" in top and "10 tỷ USD" in top  # the figures come before the filler
    # the plan "sẽ dẫn đầu ... 5–6/2/2026" is superseded by the later report that the visit ended on 5/2
    plan = [p for p in picker.ranked([DOC_A])[0] if "5–6/2/2026" in p.text]
    assert plan, "the earlier article states the planned dates"
    assert not any("5–6/2/2026" in p.text for p in both)
    assert any("superseded" in n for n in notes)
    # picks point at their sentence in the article
    doc = seeded_desk.store.get_document(DOC_A)
    assert all(doc.text[p.start:p.end].strip() == p.text for p in plan)


# ---- the real default model --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def brief_desk(seeded_index):
    from rag import NewsDesk

    return NewsDesk(index=seeded_index, llm=ANSWER_LLM)


def _assert_clean(dg):
    """Every line cites one sentence and states nothing the checks reject; a bullet marked not sure quotes its
    sentence verbatim, and its own words (``restated``) pass the same checks."""
    for sec in dg.sections:
        for b in sec.bullets:
            assert len(b.citations) == 1 and len(re.findall(r"\[\d+\]", b.text)) == 1, b.text  # one mark per claim
            src = dg.sources[b.citations[0] - 1]
            srcs = _cited_context({"text": src.text, "date": src.date, "title": src.title})
            if b.uncertain:
                assert f"“{' '.join(src.text.split())}”" in b.text and b.restated, b.text
                b = Bullet(b.restated, b.citations)
            assert not [p for p in verify.check(b.text, srcs, "en") if p.kind in (Kind.NAME, Kind.PLACE, Kind.NUMBER,
                                                                                 Kind.AMOUNT, Kind.DATE)], b.text
            assert facts.unsupported_roles(b.text, srcs) == [], b.text
            assert facts.other_language_words(b.text, sec.lang) == [], b.text
            assert detect_question(b.text) == sec.lang, b.text


def test_briefing_over_both_seeds(brief_desk):
    seen = []
    dg = brief_desk.brief(docs=[DOC_A, DOC_B], progress=lambda done, total, label: seen.append((done, total)))
    vi, en = dg.sections
    assert vi.lang == "vi" and en.lang == "en" and len(en.bullets) >= 4
    # the seeds are Vietnamese: every English bullet's sentence has its line in the Vietnamese section
    assert {c for b in en.bullets for c in b.citations} <= {c for b in vi.bullets for c in b.citations}
    assert set(dg.covered_docs) == {DOC_A, DOC_B}
    _assert_clean(dg)
    # the Vietnamese line of a Vietnamese article is its sentence, verbatim
    assert all(dg.sources[b.citations[0] - 1].text.rstrip(".!?") in b.text for b in vi.bullets)
    text = " ".join(b.restated or b.text for b in en.bullets)
    assert "2.6 billion" in text or "10 billion" in text, text
    assert "news" not in dg.title.lower() and dg.title.startswith("Briefing")
    assert seen and seen[-1][0] == seen[-1][1]  # progress reached the end
    md = dg.to_markdown()
    assert "## Tiếng Việt" in md and "## English" in md and "2 articles · 2026-02-04 – 2026-02-06" in md


def test_summary_of_one_seed(brief_desk):
    dg = brief_desk.summarize([DOC_B])
    assert dg.kind == "summary" and [s.lang for s in dg.sections] == ["en"] and len(dg.sections[0].bullets) >= 3
    assert dg.covered_docs == [DOC_B]
    _assert_clean(dg)
    positions = [(s.start) for s in dg.sources]
    assert positions == sorted(positions)  # a summary follows the article


def test_the_model_sees_english_number_formats_and_surnames_get_their_full_name():
    from rag.bullets import english_numbers, expand_names

    assert english_numbers("xấp xỉ 1.160.000 dặm vuông, 2,6 tỷ USD, 10–15%, ngày 5/2/2026") == \
        "xấp xỉ 1,160,000 dặm vuông, 2.6 tỷ USD, 10–15%, ngày 5 February 2026"
    # dates too (the model copied "5-6/2/2026" as it stood), but a fraction stays a fraction
    assert english_numbers("trong hai ngày 5–6/2/2026; từ 12/3 đến 1/4, 1/2 dân số") == \
        "trong hai ngày 5–6 February 2026; từ 12 March đến 1 April, 1/2 dân số"
    assert expand_names("Ernthavanh said trade reached US$2.6 billion.", TRADE.text) == \
        "Khamphao Ernthavanh said trade reached US$2.6 billion."
    assert expand_names("Lee became chair.", "Ông Hoesung Lee là chủ tịch.") == "Hoesung Lee became chair."
    assert expand_names("Tô Lâm met Sisoulith.", "Tô Lâm hội đàm với Thongloun Sisoulith và Ông Lee.") == \
        "Tô Lâm met Thongloun Sisoulith."
    # after a title, or in the possessive (what the 1.5B model writes), the given name is still put back
    assert expand_names("Ambassador Ernthavanh said trade grew.", TRADE.text) == \
        "Ambassador Khamphao Ernthavanh said trade grew."
    assert expand_names("Ernthavanh's assessment: trade grew.", TRADE.text) == \
        "Khamphao Ernthavanh's assessment: trade grew."
    # another capitalized word before it that is no title is a name of its own: left alone
    assert expand_names("Anna Ernthavanh spoke.", TRADE.text) == "Anna Ernthavanh spoke."


def test_an_office_with_the_wrong_nationality_and_no_name_is_refused():
    assert facts.unsupported_roles("The Vietnamese President concluded the visit on 5 February.", [ENDED.text + " Chủ tịch nước Lào Thongloun Sisoulith."])
    assert facts.unsupported_roles("The Lao President welcomed the delegation.", ["Chủ tịch nước Lào Thongloun Sisoulith đón đoàn."]) == []
    # an office with no country next to it could be anyone's: not counted against the claim
    assert facts.unsupported_roles("The Vietnamese Prime Minister met the Lao Prime Minister.",
                                   ["Thủ tướng Chính phủ Phạm Minh Chính gặp Thủ tướng Lào Sonexay Siphandone."]) == []


def test_a_qualified_office_is_a_fact_and_left_out_figures_are_found():
    src = "Trong khuôn khổ chuyến thăm, theo Đại sứ Khamphao Ernthavanh, Tổng Bí thư Tô Lâm dự kiến sẽ hội đàm."
    assert facts.unsupported_roles("Deputy Ambassador Ernthavanh said so.", [src]) == ["Deputy Ambassador Ernthavanh"]
    assert facts.repair_roles("Deputy Ambassador Ernthavanh said so.", [src])[0] == "Ambassador Ernthavanh said so."
    assert facts.unsupported_roles("Vice-Chair Ismail El Gizouli led the IPCC.", ["do Phó chủ tịch Ismail El Gizouli lãnh đạo"]) == []
    sent = "Tô Lâm sẽ dẫn đầu Đoàn thăm Lào trong hai ngày 5–6/2/2026; kim ngạch đạt 2,6 tỷ USD, tăng 10–15% mỗi năm."
    assert facts.missing_key_facts(sent, "To Lam will lead a delegation to Laos; trade reached US$2.6 billion.") == \
        ["5–6/2/2026", "15%"]
    assert facts.missing_key_facts(sent, "On 5–6 February 2026 To Lam visits Laos; trade US$2.6 billion, up 10–15% a year.") == []


def test_vietnamese_dates_and_amounts_rendered_the_english_way():
    assert facts.english_rendering("5–6/2/2026") == "5–6 February 2026"
    assert facts.english_rendering("2,6 tỷ USD") == "US$2.6 billion"
    assert facts.english_rendering("10–15%") == "10–15%"


def test_a_failed_bullet_is_cut_to_the_start_that_the_sentence_supports():
    from rag.bullets import cut_line

    members = Pick(DOC_A, 0, 0, "Cụ thể, các thành viên phải trên 18 tuổi và phải là công dân Vương quốc Anh, Cộng hòa "
                               "Ireland.", 0, 0.0, lang="vi")
    line = "Members must be over 18 and citizens of Canada or the European Union."
    assert check_line(line, members, "en")[0] is None  # "European Union" is in no word of the sentence
    assert cut_line(line, members) == "Members must be over 18."
    # never before a qualifier the start would lose, and never down to a line without a fact
    assert cut_line("Members must be over 18 but not citizens of the European Union.", members) is None
    assert cut_line("The members of the assembly must be citizens, and the European Union agrees.", members) is None
    # a cut down to names alone is refused, and "the Vietnamese Ambassador" is a wrong envoy, article or not
    lead = Pick(DOC_A, 0, 0, "Theo Đại sứ Lào tại Việt Nam Khamphao Ernthavanh, chuyến thăm của Tổng Bí thư Tô Lâm diễn "
                             "ra ngay sau Đại hội Đảng của hai nước.", 0, 0.0, lang="vi")
    assert cut_line("According to Khamphao Ernthavanh, Tô Lâm's visit came right after the Party Congresses of both "
                    "countries, opening new opportunities.", lead) is None
    assert facts.unsupported_roles("According to the Vietnamese Ambassador to Vietnam, the visit took place.",
                                   [lead.text])


def _name_problems(line: str, srcs: list[str]) -> list[str]:
    """The names and places of ``line`` the checker finds wrong against ``srcs``."""
    return [p.span for p in verify.check(line, srcs, "en") if p.kind in (Kind.NAME, Kind.PLACE)]


@pytest.mark.parametrize("line,src,ok", [
    ("Former chairs were appointed by the United Nations in 2002.", "Các chủ tịch trước đây do Liên Hợp Quốc bổ nhiệm năm 2002.", True),
    ("Members must be citizens of the European Union and over 18.", "Thành viên phải trên 18 tuổi và là công dân Liên minh châu Âu.", True),
    ("The forest covers 5.5 million km2 in South America.", "Rừng phủ 5,5 triệu km2 ở Nam Mỹ.", True),
    ("Its Portuguese name was adopted in 1542.", "Tên tiếng Bồ Đào Nha được dùng từ năm 1542.", True),
    # an exact rendering only: the wrong region, or a language named by a pronoun, still fails
    ("The forest covers 5.5 million km2 in North America.", "Rừng phủ 5,5 triệu km2 ở Nam Mỹ.", False),
    ("Trade with East Asia grew 8% in 2025.", "Thương mại với Đông Nam Á tăng 8% năm 2025.", False),
    ("He spoke English at the 2025 summit.", "Anh ấy phát biểu tại hội nghị năm 2025.", False),
    # a possessive ends a name: the country and the person are checked apart
    ("South Korea's Hoesung Lee has chaired the IPCC since 2015.", "Nhà kinh tế học Hàn Quốc Hoesung Lee là chủ tịch IPCC từ năm 2015.", True),
    ("Japan's Hoesung Lee has chaired the IPCC since 2015.", "Nhà kinh tế học Hàn Quốc Hoesung Lee là chủ tịch IPCC từ năm 2015.", False),
])
def test_country_region_and_language_names_are_checked_across_languages_by_cldr(line, src, ok):
    """English renderings of Vietnamese place, organisation and language names (Unicode CLDR via Babel)."""
    bad = _name_problems(line, [src])
    assert (bad == []) == ok, bad


def test_a_failed_english_bullet_leaves_only_the_english_section(seeded_index):
    """Logic around the model (a scripted one): a Vietnamese sentence whose English bullet fails the check twice
    keeps its own line in the Vietnamese section — the sentence itself — and is named in the notes; a sentence
    whose bullet passes is in both sections under one citation number."""
    from rag import NewsDesk
    from rag.llm import ChatResult

    class Scripted:
        name, n_ctx = "scripted", 4096

        def chat(self, messages, max_tokens=256, temperature=0.0, on_token=None, stop=None):
            user = [m["content"] for m in messages if m["role"] == "user"][0]
            if "kết thúc tốt đẹp chuyến thăm" in user:
                text = "On 5 February, General Secretary To Lam concluded his state visit to Laos."
            else:  # a name no sentence states: fails the check every time, and no cut of it passes
                text = "The United Nations praised the United Nations visit."
            return ChatResult(text, 0, 0, 0.0)

    desk = NewsDesk(index=seeded_index, llm="llamacpp:qwen2.5-0.5b", bullet_threshold=0.0)  # stated, not marked
    desk._llm = Scripted()
    dg = desk.brief(docs=[DOC_A, DOC_B])
    vi, en = dg.sections
    assert len(en.bullets) == 1 and "To Lam" in en.bullets[0].text
    n = en.bullets[0].citations[0]
    assert any(b.citations == [n] for b in vi.bullets) and len(vi.bullets) > 1
    for b in vi.bullets:  # each Vietnamese line is its sentence, verbatim, with one citation
        assert dg.sources[b.citations[0] - 1].text.rstrip(".!?") in b.text
    only_vi = [x for x in dg.notes if x.startswith("in the Vietnamese section only")]
    assert len(only_vi) == len(vi.bullets) - 1 and "United Nations" in only_vi[0]
    assert set(dg.covered_docs) == {DOC_A, DOC_B}
    # the English section says which numbers only the Vietnamese one has, in the Markdown (and the app)
    missing = sorted({b.citations[0] for b in vi.bullets} - {n})
    assert dg.missing_note("en").startswith(", ".join(f"[{c}]" for c in missing) + ": in the Vietnamese section only")
    assert dg.missing_note("vi") == "" and dg.missing_note("en") in dg.to_markdown()
    # a summary has no Vietnamese section: the failed sentences are left out
    sm = desk.summarize([DOC_B])
    assert [b.text for b in sm.sections[0].bullets] == [en.bullets[0].text.replace(f"[{n}]", "[1]")]


def test_a_bullet_below_the_confidence_threshold_is_marked_not_sure_with_its_sentence_quoted(seeded_index):
    """A bullet that passed its check but whose confidence is below ``bullet_threshold`` is not stated as a fact:
    the English section marks it not sure and quotes its sentence verbatim (as an answer's *uncertain* state); the
    Vietnamese section keeps the sentence itself. At threshold 0 the same bullet is stated. Every English bullet
    carries its confidence."""
    from rag import NewsDesk
    from rag.llm import ChatResult

    class Scripted:
        name, n_ctx = "scripted", 4096

        def chat(self, messages, max_tokens=256, temperature=0.0, on_token=None, stop=None):
            user = [m["content"] for m in messages if m["role"] == "user"][0]
            if "kết thúc tốt đẹp chuyến thăm" in user:
                return ChatResult("On 5 February, General Secretary To Lam concluded his state visit to Laos.", 0, 0,
                                  0.0, token_logprobs=[-0.01] * 12)
            return ChatResult("The United Nations praised the United Nations visit.", 0, 0, 0.0)

    for threshold, unsure in ((1.0, True), (0.0, False)):
        desk = NewsDesk(index=seeded_index, llm="llamacpp:qwen2.5-0.5b", bullet_threshold=threshold)
        desk._llm = Scripted()
        dg = desk.brief(docs=[DOC_A, DOC_B])
        vi, en = dg.sections
        assert len(en.bullets) == 1 and 0.0 < en.bullets[0].confidence < 1.0
        b = en.bullets[0]
        n = b.citations[0]
        source = " ".join(dg.sources[n - 1].text.split())
        assert b.uncertain is unsure and b.to_dict()["uncertain"] is unsure
        same = [x for x in vi.bullets if x.citations == [n]]
        assert same and not same[0].uncertain and source.rstrip(".") in " ".join(same[0].text.split())
        if unsure:
            assert b.text.startswith("Not sure (this may be wrong): On 5 February, General Secretary To Lam")
            assert f"the article says: “{source}” [{n}]" in b.text and b.text in dg.to_markdown()
            assert b.restated.startswith("On 5 February") and b.to_dict()["confidence"] == round(b.confidence, 4)
            assert any(x.startswith("marked not sure") and "To Lam" in x for x in dg.notes)
        else:
            assert b.text.startswith("On 5 February") and "Not sure" not in dg.to_markdown()


def test_the_bullet_prompt_carries_the_english_names_of_the_sentences_places():
    from rag.bullets import _glossary

    s = "Tổng Bí thư Tô Lâm thăm Campuchia vì hòa bình ở Đông Nam Á; Hàn Quốc và Liên minh châu Âu cũng dự."
    assert facts.english_names_in(s) == [("Liên minh châu Âu", "European Union"), ("Đông Nam Á", "Southeast Asia"),
                                         ("Hàn Quốc", "South Korea")]  # longest first, "Nam Á" not inside "Đông Nam Á"
    assert _glossary(s).startswith("\nNames in English: Liên minh châu Âu = European Union;")
    assert facts.english_names_in("Ông Nguyễn Văn Đức và bà Nga phát biểu.") == []  # one syllable: a person's name
    # tone marks count: folded, "viết năm" is "Việt Nam" (seen in the IPCC briefing's prompt)
    assert facts.english_names_in("dựa trên một bài viết năm 1999 của Michael E. Mann") == []
    assert facts.english_names_in("Kim ngạch thương mại Việt Nam – Lào") == [("Việt Nam", "Vietnam")]
    assert _glossary("The minister spoke.") == ""


def test_a_title_belongs_to_the_person_it_stands_before_in_a_list():
    """Seen in the two-seed briefing: "Thủ tướng Lào Sonexay Siphandone, Chủ tịch Quốc hội Lào Saysomphone
    Phomvihane" became "Prime Minister Laos Saysomphone Phomvihane" — the country glued to the name hid it, and the
    Prime Minister's title before the previous person counted for him."""
    src = ("Tổng Bí thư Tô Lâm đã hội đàm với Tổng Bí thư, Chủ tịch nước Lào Thongloun Sisoulith; hội kiến Thủ tướng "
           "Lào Sonexay Siphandone, Chủ tịch Quốc hội Lào Saysomphone Phomvihane.")
    bad = "To Lam met Prime Minister Sonexay Siphandone and Prime Minister Laos Saysomphone Phomvihane."
    assert facts.unsupported_roles(bad, [src]) == ["Prime Minister Laos Saysomphone Phomvihane"]
    good = ("To Lam met General Secretary and President Thongloun Sisoulith, Prime Minister Sonexay Siphandone and "
            "National Assembly Chairman Saysomphone Phomvihane.")
    assert facts.unsupported_roles(good, [src]) == []


def test_a_quoted_title_the_check_cannot_verify_is_dropped_with_the_word_that_introduces_it():
    """Seen on the tune split (IPCC): the model renders a quoted Vietnamese title in English words the sentence
    does not hold, and the whole bullet (with its year) was lost; without the quote it passes."""
    from rag.bullets import cut_line, drop_spans

    tar = Pick(DOC_A, 0, 0, 'Báo cáo thứ ba (TAR) có một biểu đồ được ghi là "Tái tạo nhiệt độ Bán cầu Bắc Nghìn năm" '
               'dựa trên một bài viết năm 1999 của Michael E. Mann, được gọi là "biểu đồ gậy khúc côn cầu".', 0, 0.0)
    line = ('The third report (TAR) has a graph titled "Temperature Anomaly in the Arctic" based on a 1999 paper by '
            'Michael E. Mann, known as "the hockey stick graph".')
    assert check_line(line, tar, "en")[0] is None
    assert cut_line(line, tar) == drop_spans(line, tar) == \
        'The third report (TAR) has a graph based on a 1999 paper by Michael E. Mann, known as "the hockey stick graph".'
    # a failing name outside the quote, or a quote that opens the line: no drop
    assert drop_spans('The Arctic report has a graph titled "Temperature Anomaly" from 1999.', tar) is None
    assert drop_spans('"Temperature Anomaly in the Arctic" is a 1999 graph by Michael E. Mann.', tar) is None
    # a parenthesis holding the unsupported name goes the same way
    assert drop_spans("In 1999, Michael E. Mann (of the Arctic Council) drew the graph.", tar) == \
        "In 1999, Michael E. Mann drew the graph."


def test_a_title_spelled_out_with_its_office_is_checked_too():
    """Seen in a tune summary after the date change: "the Prime Minister of the Central Committee of the Communist
    Party of Lao, the President of … Lao Thongloun Sisoulith" — a title followed by "of …" phrases escaped the role
    check, which looked only at a title directly before a name."""
    src = ("Nhận lời mời của Tổng Bí thư Ban Chấp hành Trung ương Đảng Nhân dân Cách mạng Lào, Chủ tịch nước Cộng hòa "
           "Dân chủ Nhân dân Lào Thongloun Sisoulith, Tổng Bí thư Ban Chấp hành Trung ương Đảng Cộng sản Việt Nam Tô Lâm "
           "sẽ dẫn đầu Đoàn đại biểu cấp cao Việt Nam thăm cấp Nhà nước tới Lào trong hai ngày 5–6/2/2026.")
    wrong = ("Following the invitation of the Prime Minister of the Central Committee of the Communist Party of Lao, the "
             "President of the Democratic Republic of Lao Thongloun Sisoulith, and the Prime Minister of the Communist "
             "Party of Vietnam Tô Lâm, the delegation visits Laos on 5–6 February 2026.")
    bad = facts.unsupported_roles(wrong, [src])
    assert any(b.startswith("Prime Minister of the Central Committee") and b.endswith("Thongloun Sisoulith") for b in bad)
    assert "Prime Minister of the Communist Party of Vietnam Tô Lâm" in bad
    right = ("At the invitation of the General Secretary of the Lao People's Revolutionary Party Central Committee, "
             "President of Laos Thongloun Sisoulith, General Secretary of the Communist Party of Vietnam Tô Lâm will lead "
             "a delegation on 5–6 February 2026.")
    assert facts.unsupported_roles(right, [src]) == []  # his title ends at his name; the next title is Tô Lâm's
    assert facts.unsupported_roles("The Minister of Foreign Affairs of Laos said trade grew.", [src]) == []


@pytest.mark.parametrize("src,ok", [
    ("Các tác phẩm của Luther lưu hành rộng rãi, đến Pháp, Anh và Ý sớm nhất là năm 1519.", True),
    ("Ông đến nước Anh và nước Ý năm 1519.", True),
    ("Anh ấy nói rằng ý kiến về hình ảnh năm 1519 là đúng.", False),  # a pronoun, an idea, a picture
    ("Ý kiến của ông Tuấn Anh về năm 1519 là đúng.", False),  # a sentence's first word; a person's name
])
def test_the_short_names_vietnamese_news_gives_countries_count_only_as_written(src, ok):
    """Seen on XQuAD topics outside the gold (a diagnostic run): "England" and "Italy" for "Anh" and "Ý" failed."""
    bad = _name_problems("Luther's works reached England and Italy by 1519.", [src])
    assert (bad == []) is ok, bad


def test_a_vietnamese_month_and_year_supports_the_year():
    """Found by the diagnostic run (French and Indian War): "tháng 5/1756" did not support "1756"."""
    src = "Quân tiếp viện của Pháp đến Tân Pháp vào tháng 5/1756."
    assert facts.unsupported("French reinforcements arrived in New France in May 1756.", [src]) == []
    assert facts.unsupported("French reinforcements arrived in 1757.", [src]) == ["1757"]
    assert _name_problems("Tanaghrisson had promised to support the English.",
                                              ["Do Tanaghrisson đã hứa hỗ trợ người Anh, Washington tiếp tục."]) == []


def test_a_translated_name_is_anchored_even_when_punctuation_follows_it_in_the_sentence():
    """Found by the diagnostic run (Huguenot): "Đại học Paris," held "paris," — a word with its comma — so "Paris
    University" had no anchor."""
    src = "Jean Cauvin (John Calvin), một sinh viên khác tại Đại học Paris, cũng cải đạo năm 1533."
    assert _name_problems("John Calvin, a student at Paris University, converted in 1533.", [src]) == []
    assert _name_problems("John Calvin, a student at Lyon University, converted in 1533.", [src]) \
        == ["Lyon University"]


def test_a_demonym_names_its_country():
    src = "Đạo luật năm 1996 của Nam Phi công nhận hai loại trường."
    assert _name_problems("The South African law of 1996 recognises two kinds of school.", [src]) == []
    assert _name_problems("The South Korean law of 1996 recognises two kinds of school.", [src]) != []


@pytest.mark.parametrize("claim,src,lost", [
    # seen when a name check was loosened (ablations/stop22-back-translation-tune): the "not" went missing
    ("IPCC reports the highest temperature for the Middle Ages was reached in England in 2007.",
     "Mức tối đa cho Thời kỳ Ấm Trung cổ đã không đạt được nhiệt độ ghi nhận ở miền trung nước Anh năm 2007.", "không"),
    ("The maximum for the Medieval Warm Period did not reach the 2007 temperature in central England.",
     "Mức tối đa cho Thời kỳ Ấm Trung cổ đã không đạt được nhiệt độ ghi nhận ở miền trung nước Anh năm 2007.", None),
    ("The vote of 51.6% fell short of the 40% threshold.", "Phiếu bầu 51,6% không bằng ngưỡng 40% tổng số cử tri.", None),
    ("Police officers are ineligible to sit in the Scottish Parliament.",
     "Thành viên cảnh sát không đủ điều kiện ngồi trong Quốc hội Scotland.", None),
    ("Police officers sit in the Scottish Parliament.", "Thành viên cảnh sát không đủ điều kiện ngồi trong Quốc hội Scotland.",
     "không"),
    # compounds that negate nothing: air, "not only", unmanned, a yes/no question
    ("Air pollution rose 5% in 2020.", "Ô nhiễm không khí tăng 5% năm 2020.", None),
    ("Vietnam exports rice and coffee.", "Việt Nam không chỉ xuất khẩu gạo mà còn cà phê.", None),
    ("An unmanned test flight, AS-206, came first.", "Một chuyến bay thử nghiệm AS-206 không người lái diễn ra trước.", None),
    ("Luther attended the Diet of Worms in 1521.", "Luther didn't attend the Diet of Worms in 1521.", "n't"),
    # false alarms the diagnostic run over topics outside the gold found (evals/digest_diagnostics.py):
    # "chẳng hạn" is "for example", "không dưới" is "at least", a negation carried by "un-"/"non-"
    ("RP and BPP lie between P and PSPACE.", "Có nhiều lớp giữa P và PSPACE, chẳng hạn như RP, BPP.", None),
    ("Avicenna described at least 700 preparations.", "Avicenna mô tả không dưới 700 chế phẩm.", None),
    ("12,843 households were unmarried couples.", "Có 12.843 hộ gia đình là cặp đôi chưa kết hôn.", None),
    ("Non-Hispanic whites fell to 30%.", "Người da trắng không phải gốc Tây Ban Nha giảm còn 30%.", None),
    ("Chinese translations of Western medical works are known.", "Không có bản dịch tiếng Trung nào được biết đến.",
     "Không"),
    ("The United Nations reached a deal in 2007.", "Liên Hợp Quốc đã không đạt được thỏa thuận năm 2007.", "không"),
])
def test_a_bullet_keeps_the_not_of_its_sentence(claim, src, lost):
    kinds = {p.kind for p in verify.check(claim, [src], "en")}
    assert (Kind.LOST_NEGATION in kinds) == bool(lost), kinds
    if lost:  # the writer refuses it, naming the word
        body, problems, _ = check_line(claim, Pick(DOC_A, 0, 0, src, 0, 0.0), "en")
        assert body is None and any(p.kind is Kind.LOST_NEGATION and p.span.lower() == lost.lower() for p in problems)


def test_a_title_the_sentence_never_states_is_refused_with_or_without_a_name():
    """The stop-22 screenshot and reports: "… and the Prime Minister of the Democratic People's Republic of Laos"
    over a sentence that names a General Secretary and a President; "the duties of the Prime Minister" for
    "Bộ trưởng Chính phủ Vương quốc Anh". No name follows, so the title-to-name check could not see them."""
    src = ("Ngày 5/2, Tổng Bí thư Tô Lâm kết thúc chuyến thăm cấp Nhà nước tới Lào, theo lời mời của Tổng Bí thư Ban "
           "Chấp hành Trung ương Đảng Nhân dân Cách mạng Lào, Chủ tịch nước Cộng hòa Dân chủ Nhân dân Lào Thongloun "
           "Sisoulith.")
    wrong = ("On 5 February, To Lam ended his visit to Laos at the invitation of the President of Laos and the Prime "
             "Minister of the Lao People's Democratic Republic.")
    assert facts.unstated_roles(wrong, [src]) == ["prime minister"]
    body, problems, _ = check_line(wrong, Pick(DOC_B, 0, 0, src, 0, 0.0), "en")
    assert body is None and [(p.kind, p.span) for p in problems] == [(Kind.OFFICE, "prime minister")]
    right = "On 5 February, General Secretary To Lam ended his visit at the invitation of President Thongloun Sisoulith."
    assert facts.unstated_roles(right, [src]) == []
    assert facts.unstated_roles("Vice President Ismail El Gizouli led the IPCC.", ["Phó chủ tịch Ismail El Gizouli."]) == []
