"""The policy's Markdown subset escapes everything it does not know, and diffs show what changed."""

from allbuy.privacy.policy_text import DiffLine, policy_diff, policy_markdown_html


def test_paragraphs_headings_lists_and_bold():
    html = policy_markdown_html(
        "Intro line one\nline two.\n\n## What we collect\n\n- **Email** address\n- name\n  continued\n\nAfter."
    )
    assert html == (
        "<p>Intro line one line two.</p>\n"
        '<h2 id="policy-what-we-collect">What we collect</h2>\n'
        "<ul><li><strong>Email</strong> address</li><li>name continued</li></ul>\n"
        "<p>After.</p>"
    )


def test_everything_else_is_escaped():
    html = policy_markdown_html('<script>alert(1)</script> & <a href="x">x</a> **<b>bold</b>**')
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "&amp;" in html
    assert "<strong>&lt;b&gt;bold&lt;/b&gt;</strong>" in html


def test_only_links_to_pages_of_this_site():
    html = policy_markdown_html(
        "[mine](/accounts/privacy/) [evil](https://evil.example/) [sneaky](//evil.example) [js](javascript:alert(1))"
    )
    assert '<a href="/accounts/privacy/">mine</a>' in html
    assert "evil.example" in html  # shown as typed, not as a link
    assert html.count("<a ") == 1
    assert 'href="javascript' not in html


def test_repeated_headings_get_distinct_anchors():
    html = policy_markdown_html("## Changes\n\n## Changes")
    assert 'id="policy-changes"' in html
    assert 'id="policy-changes-2"' in html


def test_diff_marks_insertions_and_deletions_with_context():
    old = "A\n\nB\n\nC\n\nD\n\nE\n\nF\n\nG"
    new = "A\n\nB\n\nC changed\n\nD\n\nE\n\nF\n\nG\n\nH"
    assert policy_diff(old, new, context=1) == [
        DiffLine("equal", "B"),
        DiffLine("delete", "C"),
        DiffLine("insert", "C changed"),
        DiffLine("equal", "D"),
        DiffLine("gap", ""),
        DiffLine("equal", "G"),
        DiffLine("insert", "H"),
    ]


def test_diff_ignores_blank_line_and_line_ending_changes():
    assert policy_diff("A\n\nB", "A\r\n\r\n\r\nB\n") == []
