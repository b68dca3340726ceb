//! Who may see a status: decided here and nowhere else.
use entity::{Visibility, accounts, statuses};
use sea_orm::ConnectionTrait;

use crate::db;
use crate::error::AppResult;

/// Everything about the viewer that matters to [`may_see`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ViewerRelation {
    /// Logged in at all.
    pub logged_in: bool,
    pub is_author: bool,
    pub follows_author: bool,
    pub mentioned: bool,
    /// The author blocks the viewer (or the viewer blocks the author).
    pub blocked: bool,
    /// The author is suspended.
    pub author_suspended: bool,
}

/// The rule, as a pure function:
/// - an author always sees their own statuses;
/// - a block (either way) or a suspended author hides everything;
/// - public and unlisted: anyone, logged in or not;
/// - followers-only: followers and mentioned accounts;
/// - direct: mentioned accounts only.
pub fn may_see(visibility: Visibility, r: ViewerRelation) -> bool {
    if r.logged_in && r.is_author {
        return true;
    }
    if r.blocked || r.author_suspended {
        return false;
    }
    match visibility {
        Visibility::Public | Visibility::Unlisted => true,
        Visibility::Private => r.logged_in && (r.follows_author || r.mentioned),
        Visibility::Direct => r.logged_in && r.mentioned,
    }
}

/// Gathers the viewer's relation to a status from the database. For a reblog,
/// the reblog row's own relation is used; callers check the original separately.
pub async fn relation(
    conn: &impl ConnectionTrait,
    status: &statuses::Model,
    author: &accounts::Model,
    viewer: Option<&accounts::Model>,
) -> AppResult<ViewerRelation> {
    let mut r = ViewerRelation {
        author_suspended: author.suspended_at.is_some(),
        ..ViewerRelation::default()
    };
    let Some(viewer) = viewer else { return Ok(r) };
    r.logged_in = true;
    r.is_author = viewer.id == status.account_id;
    if r.is_author {
        return Ok(r);
    }
    r.blocked = db::relationships::blocked_either_way(conn, viewer.id, status.account_id).await?;
    if matches!(status.visibility, Visibility::Private | Visibility::Direct) {
        r.mentioned = db::statuses::is_mentioned(conn, status.id, viewer.id).await?;
        if status.visibility == Visibility::Private && !r.mentioned {
            r.follows_author = db::relationships::find_follow(conn, viewer.id, status.account_id)
                .await?
                .is_some();
        }
    }
    Ok(r)
}

/// May `viewer` (or the logged-out public) see `status`? For a reblog, both the
/// reblog and the reblogged status must be visible.
pub async fn can_view(
    conn: &impl ConnectionTrait,
    status: &statuses::Model,
    viewer: Option<&accounts::Model>,
) -> AppResult<bool> {
    let Some(author) = db::accounts::find(conn, status.account_id).await? else {
        return Ok(false);
    };
    if !may_see(
        status.visibility,
        relation(conn, status, &author, viewer).await?,
    ) {
        return Ok(false);
    }
    if let Some(orig_id) = status.reblog_of_id {
        let Some(orig) = db::statuses::find(conn, orig_id).await? else {
            return Ok(false);
        };
        let Some(orig_author) = db::accounts::find(conn, orig.account_id).await? else {
            return Ok(false);
        };
        return Ok(may_see(
            orig.visibility,
            relation(conn, &orig, &orig_author, viewer).await?,
        ));
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table of cases: (case, relation) against the expected answer for
    /// public, unlisted, private and direct, in that order.
    #[test]
    fn visibility_table() {
        let logged = ViewerRelation {
            logged_in: true,
            ..Default::default()
        };
        let cases: &[(&str, ViewerRelation, [bool; 4])] = &[
            (
                "author",
                ViewerRelation {
                    is_author: true,
                    ..logged
                },
                [true, true, true, true],
            ),
            (
                "follower",
                ViewerRelation {
                    follows_author: true,
                    ..logged
                },
                [true, true, true, false],
            ),
            (
                "mentioned",
                ViewerRelation {
                    mentioned: true,
                    ..logged
                },
                [true, true, true, true],
            ),
            (
                "mentioned follower",
                ViewerRelation {
                    mentioned: true,
                    follows_author: true,
                    ..logged
                },
                [true, true, true, true],
            ),
            ("stranger", logged, [true, true, false, false]),
            (
                "blocked",
                ViewerRelation {
                    blocked: true,
                    ..logged
                },
                [false, false, false, false],
            ),
            (
                "blocked but mentioned",
                ViewerRelation {
                    blocked: true,
                    mentioned: true,
                    ..logged
                },
                [false, false, false, false],
            ),
            (
                "blocked follower",
                ViewerRelation {
                    blocked: true,
                    follows_author: true,
                    ..logged
                },
                [false, false, false, false],
            ),
            (
                "logged out",
                ViewerRelation::default(),
                [true, true, false, false],
            ),
            (
                "suspended author, stranger",
                ViewerRelation {
                    author_suspended: true,
                    ..logged
                },
                [false, false, false, false],
            ),
            (
                "suspended author, themselves",
                ViewerRelation {
                    author_suspended: true,
                    is_author: true,
                    ..logged
                },
                [true, true, true, true],
            ),
        ];
        let vis = [
            Visibility::Public,
            Visibility::Unlisted,
            Visibility::Private,
            Visibility::Direct,
        ];
        for (name, rel, expected) in cases {
            for (v, want) in vis.iter().zip(expected) {
                assert_eq!(may_see(*v, *rel), *want, "{name} / {v:?}");
            }
        }
    }
}
