//! Turning what a person typed into the HTML a status carries: paragraphs, line
//! breaks, links, @mentions and #hashtags, in the markup Mastodon emits so that
//! every client renders it. Also the character count the length limit applies to.
use std::sync::LazyLock;

use regex::Regex;

/// `@user` or `@user@host`, not preceded by a word character or a slash (so
/// e-mail addresses and URL paths are not mentions).
static MENTION: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)] // a constant pattern: checked by the tests below
    Regex::new(r"(?i)(^|[^\w/@])@([a-z0-9_]+(?:[a-z0-9_.-]*[a-z0-9_])?)(?:@([a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::\d{1,5})?))?")
        .expect("mention pattern")
});

/// `#tag`: letters, digits and underscores, with at least one non-digit.
static HASHTAG: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    Regex::new(r"(^|[^\w/&#])#([\p{L}\p{N}_]*[\p{L}_][\p{L}\p{N}_]*)").expect("hashtag pattern")
});

static URL: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    Regex::new(r#"https?://[^\s<>"']+"#).expect("url pattern")
});

/// A mention as typed: `@name` (domain `None`) or `@name@host`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MentionRef {
    pub username: String,
    pub domain: Option<String>,
}

/// Mentions in order of first appearance, without repeats (case-insensitive).
pub fn extract_mentions(text: &str) -> Vec<MentionRef> {
    let mut out: Vec<MentionRef> = Vec::new();
    for c in MENTION.captures_iter(text) {
        let Some(user) = c.get(2) else { continue };
        let m = MentionRef {
            username: user.as_str().to_string(),
            domain: c.get(3).map(|d| d.as_str().to_lowercase()),
        };
        if !out
            .iter()
            .any(|o| o.username.eq_ignore_ascii_case(&m.username) && o.domain == m.domain)
        {
            out.push(m);
        }
    }
    out
}

/// Hashtag names, lower-cased, without repeats, at most 30 characters long each.
pub fn extract_hashtags(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in HASHTAG.captures_iter(text) {
        let Some(tag) = c.get(2) else { continue };
        let name = tag.as_str().to_lowercase();
        if name.chars().count() <= 100 && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// How a resolved mention is linked.
#[derive(Clone, Debug)]
pub struct LinkedMention {
    pub mention: MentionRef,
    /// The profile page.
    pub url: String,
}

/// Length as Mastodon counts it: every URL weighs 23 characters and a remote
/// mention counts only its `@user` part.
pub fn status_length(text: &str) -> usize {
    let mut len = 0;
    let mut last = 0;
    for m in URL.find_iter(text) {
        len += text
            .get(last..m.start())
            .map(|s| s.chars().count())
            .unwrap_or(0)
            + 23;
        last = m.end();
    }
    let rest = text.get(last..).unwrap_or("");
    let mut remote_savings = 0;
    for c in MENTION.captures_iter(rest) {
        if let Some(d) = c.get(3) {
            remote_savings += d.as_str().chars().count() + 1;
        }
    }
    len + rest.chars().count() - remote_savings
}

fn escape(s: &str, out: &mut String) {
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
}

/// Renders plain text as status HTML. `tag_url` makes a hashtag's link from its
/// name; mentions not in `mentions` (unknown accounts) stay plain text.
pub fn render(text: &str, mentions: &[LinkedMention], tag_url: impl Fn(&str) -> String) -> String {
    let normalised = text.replace("\r\n", "\n");
    let mut html = String::new();
    for para in normalised
        .split("\n\n")
        .map(|p| p.trim_matches('\n'))
        .filter(|p| !p.trim().is_empty())
    {
        html.push_str("<p>");
        for (i, line) in para.split('\n').enumerate() {
            if i > 0 {
                html.push_str("<br />");
            }
            render_line(line, mentions, &tag_url, &mut html);
        }
        html.push_str("</p>");
    }
    html
}

/// Renders one line: URLs first (their text is never scanned for mentions), then
/// mentions and hashtags in the text between them.
fn render_line(
    line: &str,
    mentions: &[LinkedMention],
    tag_url: &impl Fn(&str) -> String,
    out: &mut String,
) {
    let mut last = 0;
    for m in URL.find_iter(line) {
        // Trailing punctuation belongs to the sentence, not the link.
        let url = m
            .as_str()
            .trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']']);
        let end = m.start() + url.len();
        render_words(
            line.get(last..m.start()).unwrap_or(""),
            mentions,
            tag_url,
            out,
        );
        out.push_str("<a href=\"");
        escape(url, out);
        out.push_str("\" target=\"_blank\" rel=\"nofollow noopener\" translate=\"no\">");
        escape(url, out);
        out.push_str("</a>");
        last = end;
    }
    render_words(line.get(last..).unwrap_or(""), mentions, tag_url, out);
}

#[derive(Debug)]
enum Token<'a> {
    Mention {
        start: usize,
        end: usize,
        link: &'a LinkedMention,
    },
    Tag {
        start: usize,
        end: usize,
        name: &'a str,
    },
}

fn render_words(
    text: &str,
    mentions: &[LinkedMention],
    tag_url: &impl Fn(&str) -> String,
    out: &mut String,
) {
    let mut tokens: Vec<Token> = Vec::new();
    for c in MENTION.captures_iter(text) {
        let (Some(all), Some(pre), Some(user)) = (c.get(0), c.get(1), c.get(2)) else {
            continue;
        };
        let domain = c.get(3).map(|d| d.as_str().to_lowercase());
        if let Some(link) = mentions.iter().find(|l| {
            l.mention.username.eq_ignore_ascii_case(user.as_str()) && l.mention.domain == domain
        }) {
            tokens.push(Token::Mention {
                start: all.start() + pre.len(),
                end: all.end(),
                link,
            });
        }
    }
    for c in HASHTAG.captures_iter(text) {
        let (Some(all), Some(pre), Some(name)) = (c.get(0), c.get(1), c.get(2)) else {
            continue;
        };
        let start = all.start() + pre.len();
        let overlaps = tokens.iter().any(|t| match t {
            Token::Mention {
                start: s, end: e, ..
            } => start < *e && all.end() > *s,
            Token::Tag { .. } => false,
        });
        if !overlaps {
            tokens.push(Token::Tag {
                start,
                end: all.end(),
                name: name.as_str(),
            });
        }
    }
    tokens.sort_by_key(|t| match t {
        Token::Mention { start, .. } | Token::Tag { start, .. } => *start,
    });
    let mut last = 0;
    for t in tokens {
        match t {
            Token::Mention { start, end, link } => {
                escape(text.get(last..start).unwrap_or(""), out);
                out.push_str("<span class=\"h-card\" translate=\"no\"><a href=\"");
                escape(&link.url, out);
                out.push_str("\" class=\"u-url mention\">@<span>");
                escape(&link.mention.username, out);
                out.push_str("</span></a></span>");
                last = end;
            }
            Token::Tag { start, end, name } => {
                escape(text.get(last..start).unwrap_or(""), out);
                out.push_str("<a href=\"");
                escape(&tag_url(&name.to_lowercase()), out);
                out.push_str("\" class=\"mention hashtag\" rel=\"tag\">#<span>");
                escape(name, out);
                out.push_str("</span></a>");
                last = end;
            }
        }
    }
    escape(text.get(last..).unwrap_or(""), out);
}

/// The rules of [`sanitize_remote_html`].
static REMOTE_HTML: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    use std::collections::{HashMap, HashSet};
    let tags: HashSet<&str> = [
        "p",
        "br",
        "span",
        "a",
        "del",
        "pre",
        "code",
        "em",
        "strong",
        "b",
        "i",
        "u",
        "ul",
        "ol",
        "li",
        "blockquote",
    ]
    .into();
    let mut tag_attrs: HashMap<&str, HashSet<&str>> = HashMap::new();
    tag_attrs.insert("a", ["href", "translate"].into());
    tag_attrs.insert("span", ["translate"].into());
    tag_attrs.insert("ol", ["start", "reversed"].into());
    tag_attrs.insert("li", ["value"].into());
    let classes: HashMap<&str, HashSet<&str>> = [
        (
            "a",
            [
                "mention",
                "hashtag",
                "u-url",
                "h-card",
                "status-link",
                "unhandled-link",
            ]
            .into(),
        ),
        (
            "span",
            ["h-card", "mention", "hashtag", "ellipsis", "invisible"].into(),
        ),
    ]
    .into();
    let mut b = ammonia::Builder::default();
    b.tags(tags)
        .tag_attributes(tag_attrs)
        .generic_attributes(HashSet::new())
        .allowed_classes(classes)
        .url_schemes(["http", "https"].into())
        .link_rel(Some("nofollow noopener noreferrer"));
    b
});

/// Cleans HTML from another server down to what Mastodon keeps: paragraphs,
/// breaks, links (made `nofollow noopener`), mention and hashtag spans, simple
/// emphasis, lists, quotes and code. Scripts, styles, images, event handlers and
/// any non-http(s) link are dropped. (The rules are built once, not per call:
/// building them was about 4% of the work of receiving a post.)
pub fn sanitize_remote_html(html: &str) -> String {
    REMOTE_HTML.clean(html).to_string()
}

static NO_HTML: LazyLock<ammonia::Builder<'static>> = LazyLock::new(ammonia::Builder::empty);

/// Plain text from a short HTML fragment (a remote display name or field name).
pub fn strip_html(html: &str) -> String {
    NO_HTML.clean(html).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag_url(n: &str) -> String {
        format!("https://k.example/tags/{n}")
    }

    #[test]
    fn finds_local_and_remote_mentions_but_not_emails_or_paths() {
        let m = extract_mentions(
            "hi @alice and @Bob@Beta.Example, mail me@x.org or see https://x.org/@carol; @alice again",
        );
        assert_eq!(
            m,
            vec![
                MentionRef {
                    username: "alice".into(),
                    domain: None
                },
                MentionRef {
                    username: "Bob".into(),
                    domain: Some("beta.example".into())
                },
            ]
        );
    }

    #[test]
    fn finds_hashtags_lowercased_once() {
        assert_eq!(
            extract_hashtags("#Rust and #rust, #café #2026 a#b http://x/#frag #snake_case"),
            vec!["rust", "café", "snake_case"]
        );
    }

    #[test]
    fn renders_paragraphs_links_mentions_and_tags_with_everything_escaped() {
        let alice = LinkedMention {
            mention: MentionRef {
                username: "alice".into(),
                domain: None,
            },
            url: "https://k.example/@alice".into(),
        };
        let html = render(
            "Hi @alice <b>&</b> #Rust\nsee https://example.org/a?b=1&c=2.\n\nbye @nobody",
            &[alice],
            tag_url,
        );
        assert_eq!(
            html,
            "<p>Hi <span class=\"h-card\" translate=\"no\"><a href=\"https://k.example/@alice\" class=\"u-url mention\">@<span>alice</span></a></span> &lt;b&gt;&amp;&lt;/b&gt; \
<a href=\"https://k.example/tags/rust\" class=\"mention hashtag\" rel=\"tag\">#<span>Rust</span></a><br />\
see <a href=\"https://example.org/a?b=1&amp;c=2\" target=\"_blank\" rel=\"nofollow noopener\" translate=\"no\">https://example.org/a?b=1&amp;c=2</a>.</p>\
<p>bye @nobody</p>"
        );
    }

    #[test]
    fn script_is_never_markup() {
        let html = render("<script>alert(1)</script>", &[], tag_url);
        assert_eq!(html, "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>");
    }

    #[test]
    fn remote_html_is_cut_down_to_the_mastodon_subset() {
        let dirty = r#"<p onclick="x()">Hi <a href="https://b.example/@bob" class="u-url mention evil">@bob</a><script>alert(1)</script>
<img src="https://x/y.png"><a href="javascript:alert(1)">js</a><span class="invisible">https://</span><b style="color:red">b</b></p>"#;
        let clean = sanitize_remote_html(dirty);
        assert!(
            !clean.contains("script")
                && !clean.contains("onclick")
                && !clean.contains("img")
                && !clean.contains("javascript"),
            "{clean}"
        );
        assert!(
            !clean.contains("style") && !clean.contains("evil"),
            "{clean}"
        );
        assert!(clean.contains(r#"class="u-url mention""#), "{clean}");
        assert!(
            clean.contains(r#"rel="nofollow noopener noreferrer""#),
            "{clean}"
        );
        assert!(clean.contains(r#"<span class="invisible">"#), "{clean}");
        assert_eq!(strip_html("<b>Bob</b> <script>x</script>"), "Bob ");
    }

    #[test]
    fn counts_urls_as_23_and_remote_mentions_by_name() {
        assert_eq!(status_length("héllo"), 5);
        assert_eq!(
            status_length("see https://example.org/a/very/long/path/indeed/yes"),
            4 + 23
        );
        assert_eq!(status_length("@bob@beta.example hi"), "@bob hi".len());
    }
}
