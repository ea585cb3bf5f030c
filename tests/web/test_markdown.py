from portal.satisfaction import Level, satisfaction_rate
from portal.web.markdown import render_markdown


def test_markdown_renders_and_drops_dangerous_parts():
    html = str(render_markdown(
        "# Title\n\n**bold** [ok](https://example.org) [bad](javascript:alert(1))\n\n"
        "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>"))
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.org"' in html
    assert 'href="javascript' not in html
    assert "<script" not in html and "<img" not in html  # shown as text, never as markup


def test_satisfaction_rate_counts_only_the_top_two_levels():
    counts = {Level.VERY_SATISFIED: 3, Level.SATISFIED: 1, Level.FAIRLY_SATISFIED: 4,
              Level.DISSATISFIED: 1, Level.VERY_DISSATISFIED: 1}
    assert satisfaction_rate(counts) == 0.4
    assert satisfaction_rate({}) is None
