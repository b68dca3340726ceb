//! Templates (compiled into the binary) and the shapes pages read: accounts and
//! statuses prepared for display.
use std::collections::HashMap;
use std::sync::LazyLock;

use entity::accounts;
use minijinja::{Environment, Value};
use serde::Serialize;

use crate::error::AppResult;
use crate::http::api::entities;
use crate::service::timelines::StatusView;
use crate::state::AppState;

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("templates/base.html")),
    ("error.html", include_str!("templates/error.html")),
    ("landing.html", include_str!("templates/landing.html")),
    ("signup.html", include_str!("templates/signup.html")),
    ("login.html", include_str!("templates/login.html")),
    ("pending.html", include_str!("templates/pending.html")),
    ("feed.html", include_str!("templates/feed.html")),
    ("status.html", include_str!("templates/status.html")),
    ("profile.html", include_str!("templates/profile.html")),
    ("people.html", include_str!("templates/people.html")),
    ("friends.html", include_str!("templates/friends.html")),
    ("messages.html", include_str!("templates/messages.html")),
    (
        "conversation.html",
        include_str!("templates/conversation.html"),
    ),
    (
        "new_message.html",
        include_str!("templates/new_message.html"),
    ),
    (
        "notifications.html",
        include_str!("templates/notifications.html"),
    ),
    (
        "settings_profile.html",
        include_str!("templates/settings_profile.html"),
    ),
    (
        "settings_account.html",
        include_str!("templates/settings_account.html"),
    ),
    ("admin.html", include_str!("templates/admin.html")),
    ("_status.html", include_str!("templates/_status.html")),
    ("_message.html", include_str!("templates/_message.html")),
    ("_person.html", include_str!("templates/_person.html")),
    ("_composer.html", include_str!("templates/_composer.html")),
];

/// Built once; templates are constants, so a broken one fails every test at once.
static ENV: LazyLock<Result<Environment<'static>, String>> = LazyLock::new(|| {
    let mut env = Environment::new();
    for (name, src) in TEMPLATES {
        env.add_template(name, src)
            .map_err(|e| format!("{name}: {e:#}"))?;
    }
    env.add_global("t", super::v(super::strings::table()));
    env.add_filter("when", when);
    env.add_filter("truncate", truncate);
    Ok(env)
});

/// `2026-11-29T08:00:00.000Z` as `29 Nov 2026, 08:00` (UTC; the script shows local time).
fn when(s: String) -> String {
    chrono::DateTime::parse_from_rfc3339(&s)
        .map(|d| d.format("%-d %b %Y, %H:%M").to_string())
        .unwrap_or(s)
}

/// The first `n` characters (255 by default), with an ellipsis when cut.
fn truncate(s: String, n: Option<usize>) -> String {
    let n = n.unwrap_or(255);
    if s.chars().count() <= n {
        return s;
    }
    let mut out: String = s.chars().take(n.saturating_sub(1)).collect();
    out.push('…');
    out
}

pub fn render(name: &str, ctx: Value) -> Result<String, minijinja::Error> {
    let env = ENV
        .as_ref()
        .map_err(|e| minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, e.clone()))?;
    env.get_template(name)?.render(ctx)
}

/// An account as pages show it.
#[derive(Clone, Debug, Serialize)]
pub struct AccountView {
    pub id: String,
    /// `name` or `name@host`.
    pub acct: String,
    /// `@name@host` in full, for people to copy.
    pub handle: String,
    pub name: String,
    pub avatar: String,
    pub header: String,
    /// Sanitised HTML.
    pub note: String,
    pub fields: Vec<(String, String)>,
    pub locked: bool,
    pub local: bool,
    pub followers: i64,
    pub following: i64,
    pub posts: i64,
    /// Where the account lives (its page on its own server).
    pub url: String,
}

pub fn account(state: &AppState, a: &accounts::Model) -> AccountView {
    let j = entities::account(state, a);
    let s = |k: &str| j.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
    let fields = j
        .get("fields")
        .and_then(|f| f.as_array())
        .map(|fs| {
            fs.iter()
                .map(|f| {
                    let g = |k: &str| f.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
                    (g("name"), g("value"))
                })
                .collect()
        })
        .unwrap_or_default();
    let host = a
        .domain
        .clone()
        .unwrap_or_else(|| state.config.domain.clone());
    AccountView {
        id: a.id.to_string(),
        acct: a.acct(),
        handle: format!("@{}@{}", a.username, host),
        name: if a.display_name.trim().is_empty() {
            a.username.clone()
        } else {
            a.display_name.clone()
        },
        avatar: s("avatar"),
        header: s("header"),
        note: a.note.clone(),
        fields,
        locked: a.locked,
        local: a.is_local(),
        followers: a.followers_count.max(0),
        following: a.following_count.max(0),
        posts: a.statuses_count.max(0),
        url: s("url"),
    }
}

/// Statuses as pages show them: the Mastodon entity (content already
/// sanitised), with `depth` for threads and `path` for the post's page.
pub async fn statuses(
    state: &AppState,
    viewer: Option<&accounts::Model>,
    views: &[StatusView],
    depths: Option<&HashMap<i64, usize>>,
) -> AppResult<Vec<serde_json::Value>> {
    let mut out = entities::statuses(state, viewer, views).await?;
    for (j, v) in out.iter_mut().zip(views) {
        let shown = v.shown();
        let author = v.reblog.as_ref().map(|r| &r.account).unwrap_or(&v.account);
        if let Some(obj) = j.as_object_mut() {
            obj.insert(
                "path".into(),
                format!("/@{}/{}", author.acct(), shown.id).into(),
            );
            obj.insert(
                "author".into(),
                serde_json::to_value(account(state, author)).unwrap_or_default(),
            );
            obj.insert(
                "booster".into(),
                match &v.reblog {
                    Some(_) => serde_json::to_value(account(state, &v.account)).unwrap_or_default(),
                    None => serde_json::Value::Null,
                },
            );
            let depth = depths
                .and_then(|d| d.get(&v.status.id))
                .copied()
                .unwrap_or(0);
            obj.insert("depth".into(), depth.min(4).into());
            obj.insert("shown_id".into(), shown.id.to_string().into());
            obj.insert(
                "mine".into(),
                (viewer.map(|me| me.id) == Some(shown.account_id)).into(),
            );
        }
    }
    Ok(out)
}

static LEADING_MENTIONS: LazyLock<Option<regex::Regex>> = LazyLock::new(|| {
    regex::Regex::new(
        r#"^<p>(?:\s*<span class="h-card"[^>]*><a [^>]*>@<span>[^<]*</span></a></span>\s*)+"#,
    )
    .ok()
});

/// A direct message without the mentions that address it (the conversation
/// already shows who is in it).
pub fn message_body(html: &str) -> String {
    match LEADING_MENTIONS.as_ref() {
        Some(re) => re.replace(html, "<p>").into_owned(),
        None => html.to_string(),
    }
}

/// One status rendered alone (the live updates insert it as it is).
pub async fn status_html(
    state: &AppState,
    viewer: &accounts::Model,
    csrf: &str,
    view: StatusView,
    template: &str,
) -> AppResult<String> {
    let rendered = statuses(state, Some(viewer), &[view], None).await?;
    let Some(s) = rendered.into_iter().next() else {
        return Ok(String::new());
    };
    let me = account(state, viewer);
    render(
        template,
        minijinja::context! { s => super::v(s), me => super::v(me), csrf => csrf, path => "/" },
    )
    .map_err(|e| crate::error::AppError::internal(format!("template: {e:#}")))
}

#[cfg(test)]
mod tests {
    #[test]
    fn messages_lose_their_leading_mentions_only() {
        let html = "<p><span class=\"h-card\" translate=\"no\"><a href=\"http://x/@bob\" class=\"u-url mention\">@<span>bob</span></a></span> Hi <span class=\"h-card\" translate=\"no\"><a href=\"http://x/@eve\" class=\"u-url mention\">@<span>eve</span></a></span></p>";
        let body = super::message_body(html);
        assert!(body.starts_with("<p>Hi <span"), "{body}");
        assert!(body.contains("eve"));
        assert_eq!(super::message_body("<p>plain</p>"), "<p>plain</p>");
    }
}
