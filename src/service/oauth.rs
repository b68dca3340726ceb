//! OAuth 2 for client apps: registering apps, the authorization-code (with PKCE),
//! password and client-credentials grants, revocation, and checking a bearer
//! token and its scopes on every API request.
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use entity::{accounts, oauth_applications as apps, oauth_codes as codes, oauth_tokens as tokens};
use rand::RngCore;
use sea_orm::Set;
use sha2::{Digest, Sha256};

use crate::db;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub const OOB: &str = "urn:ietf:wg:oauth:2.0:oob";
const CODE_LIFETIME: chrono::Duration = chrono::Duration::minutes(10);

/// The scopes a client may ask for, as Mastodon defines them.
pub const TOP_SCOPES: &[&str] = &[
    "read",
    "write",
    "follow",
    "push",
    "profile",
    "admin:read",
    "admin:write",
];
const READ_SUB: &[&str] = &[
    "accounts",
    "blocks",
    "bookmarks",
    "favourites",
    "filters",
    "follows",
    "lists",
    "mutes",
    "notifications",
    "search",
    "statuses",
];
const WRITE_SUB: &[&str] = &[
    "accounts",
    "blocks",
    "bookmarks",
    "conversations",
    "favourites",
    "filters",
    "follows",
    "lists",
    "media",
    "mutes",
    "notifications",
    "reports",
    "statuses",
];
const ADMIN_SUB: &[&str] = &[
    "accounts",
    "reports",
    "domain_allows",
    "domain_blocks",
    "ip_blocks",
    "email_domain_blocks",
    "canonical_email_blocks",
];
/// What the legacy `follow` scope grants.
const FOLLOW_GRANTS: &[&str] = &[
    "read:blocks",
    "write:blocks",
    "read:follows",
    "write:follows",
    "read:mutes",
    "write:mutes",
];

/// A set of granted scopes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scopes(Vec<String>);

impl Scopes {
    /// Parses a space- (or `+`-) separated list; unknown scopes are an error.
    pub fn parse(s: &str) -> AppResult<Scopes> {
        let mut out = Vec::new();
        for scope in s.split([' ', '+']).map(str::trim).filter(|x| !x.is_empty()) {
            if !is_known(scope) {
                return Err(AppError::BadRequest(format!(
                    "invalid_scope: {scope} is not a known scope"
                )));
            }
            if !out.iter().any(|x| x == scope) {
                out.push(scope.to_string());
            }
        }
        if out.is_empty() {
            out.push("read".into());
        }
        Ok(Scopes(out))
    }

    pub fn as_string(&self) -> String {
        self.0.join(" ")
    }

    /// Whether these scopes allow `required` (for example `read:statuses`).
    pub fn allows(&self, required: &str) -> bool {
        self.0.iter().any(|s| {
            s == required
                || required
                    .strip_prefix(s.as_str())
                    .is_some_and(|rest| rest.starts_with(':'))
                || (s == "follow" && FOLLOW_GRANTS.contains(&required))
                || (s == "profile" && required == "profile")
        }) || (required == "profile" && self.allows("read:accounts"))
    }

    /// True when every scope here is within `granted`.
    pub fn within(&self, granted: &Scopes) -> bool {
        self.0.iter().all(|s| granted.allows(s))
    }
}

fn is_known(s: &str) -> bool {
    if TOP_SCOPES.contains(&s) {
        return true;
    }
    if let Some(sub) = s.strip_prefix("read:") {
        return READ_SUB.contains(&sub);
    }
    if let Some(sub) = s.strip_prefix("write:") {
        return WRITE_SUB.contains(&sub);
    }
    if let Some(sub) = s
        .strip_prefix("admin:read:")
        .or_else(|| s.strip_prefix("admin:write:"))
    {
        return ADMIN_SUB.contains(&sub);
    }
    false
}

pub(crate) fn random_secret() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    B64URL.encode(b)
}

pub fn hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A redirect URI an app may register: https, a custom scheme for native apps,
/// http on a loopback address, or the out-of-band marker.
pub fn valid_redirect_uri(uri: &str) -> bool {
    if uri == OOB {
        return true;
    }
    let Ok(u) = url::Url::parse(uri) else {
        return false;
    };
    if u.fragment().is_some() {
        return false;
    }
    match u.scheme() {
        "https" => u.host().is_some(),
        "http" => matches!(u.host_str(), Some("localhost" | "127.0.0.1" | "[::1]")),
        "javascript" | "data" | "file" | "vbscript" | "ftp" | "ws" | "wss" | "blob" | "about" => {
            false
        }
        // A native app's custom scheme (com.example.app:/callback).
        _ => true,
    }
}

/// A newly registered app and its secret (shown once).
pub struct NewApp {
    pub app: apps::Model,
    pub client_secret: String,
}

pub async fn create_app(
    state: &AppState,
    name: &str,
    redirect_uris: &str,
    scopes: &str,
    website: Option<&str>,
) -> AppResult<NewApp> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AppError::validation(
            "Validation failed: Application name must be 1 to 200 characters",
        ));
    }
    let uris: Vec<&str> = redirect_uris
        .split(['\n', ' '])
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .collect();
    if uris.is_empty() {
        return Err(AppError::validation(
            "Validation failed: Redirect URI can't be blank",
        ));
    }
    if let Some(bad) = uris.iter().find(|u| !valid_redirect_uri(u)) {
        return Err(AppError::validation(format!(
            "Validation failed: Redirect URI {bad} must be an absolute https URI, a custom scheme, a loopback address or {OOB}"
        )));
    }
    let scopes = Scopes::parse(scopes)?;
    let website = website.map(str::trim).filter(|w| !w.is_empty());
    if let Some(w) = website
        && !url::Url::parse(w).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
    {
        return Err(AppError::validation(
            "Validation failed: Website is not a valid URL",
        ));
    }
    let client_secret = random_secret();
    let app = db::oauth::insert_app(
        &state.db.write,
        apps::ActiveModel {
            id: Set(state.ids.next()),
            name: Set(name.to_string()),
            website: Set(website.map(str::to_string)),
            redirect_uris: Set(uris.join("\n")),
            scopes: Set(scopes.as_string()),
            client_id: Set(random_secret()),
            client_secret_hash: Set(hash(&client_secret)),
            created_at: Set(db::now()),
        },
    )
    .await?;
    Ok(NewApp { app, client_secret })
}

/// The app with these client credentials, or 401 `invalid_client`.
pub async fn check_client(
    state: &AppState,
    client_id: &str,
    client_secret: &str,
) -> AppResult<apps::Model> {
    match db::oauth::app_by_client_id(&state.db.read, client_id).await? {
        Some(app) if constant_time_eq(&app.client_secret_hash, &hash(client_secret)) => Ok(app),
        _ => Err(AppError::Unauthorized(
            "invalid_client: Client authentication failed".into(),
        )),
    }
}

pub async fn app_by_client_id(state: &AppState, client_id: &str) -> AppResult<apps::Model> {
    db::oauth::app_by_client_id(&state.db.read, client_id)
        .await?
        .ok_or_else(|| {
            AppError::Unauthorized("invalid_client: Client authentication failed".into())
        })
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A token just issued, with its secret (shown once).
pub struct IssuedToken {
    pub token: tokens::Model,
    pub access_token: String,
}

async fn issue(
    state: &AppState,
    app: &apps::Model,
    account_id: Option<i64>,
    scopes: &Scopes,
) -> AppResult<IssuedToken> {
    let access_token = random_secret();
    let token = db::oauth::insert_token(
        &state.db.write,
        tokens::ActiveModel {
            id: Set(state.ids.next()),
            token_hash: Set(hash(&access_token)),
            application_id: Set(app.id),
            account_id: Set(account_id),
            scopes: Set(scopes.as_string()),
            created_at: Set(db::now()),
            last_used_at: Set(None),
            revoked_at: Set(None),
        },
    )
    .await?;
    Ok(IssuedToken {
        token,
        access_token,
    })
}

fn requested_scopes(app: &apps::Model, requested: Option<&str>) -> AppResult<Scopes> {
    let granted = Scopes::parse(&app.scopes)?;
    let wanted = match requested {
        Some(s) if !s.trim().is_empty() => Scopes::parse(s)?,
        _ => granted.clone(),
    };
    if !wanted.within(&granted) {
        return Err(AppError::BadRequest(
            "invalid_scope: The requested scope is not registered for this app".into(),
        ));
    }
    Ok(wanted)
}

/// `grant_type=password`: a login and password exchanged for a token.
pub async fn password_grant(
    state: &AppState,
    app: &apps::Model,
    login: &str,
    password: &str,
    scope: Option<&str>,
) -> AppResult<IssuedToken> {
    let scopes = requested_scopes(app, scope)?;
    let (account, _) = super::accounts::authenticate(state, login, password)
        .await
        .map_err(|e| match e {
            AppError::Unauthorized(_) => {
                AppError::BadRequest("invalid_grant: Invalid email or password".into())
            }
            other => other,
        })?;
    issue(state, app, Some(account.id), &scopes).await
}

/// `grant_type=client_credentials`: a token for the app itself, with no account.
pub async fn client_credentials_grant(
    state: &AppState,
    app: &apps::Model,
    scope: Option<&str>,
) -> AppResult<IssuedToken> {
    let scopes = requested_scopes(app, scope)?;
    issue(state, app, None, &scopes).await
}

/// The token an app gets for an account it just registered, with the app's scopes.
pub async fn token_for_new_account(
    state: &AppState,
    app: &apps::Model,
    account: &accounts::Model,
) -> AppResult<IssuedToken> {
    let scopes = Scopes::parse(&app.scopes)?;
    issue(state, app, Some(account.id), &scopes).await
}

/// What the consent page approves.
pub struct AuthorizationRequest<'a> {
    pub app: &'a apps::Model,
    pub redirect_uri: &'a str,
    pub scope: Option<&'a str>,
    pub code_challenge: Option<&'a str>,
    pub code_challenge_method: Option<&'a str>,
}

/// Checks an authorization request before the consent page is shown.
pub fn check_authorization(req: &AuthorizationRequest<'_>) -> AppResult<Scopes> {
    if !req.app.redirect_uris.lines().any(|u| u == req.redirect_uri) {
        return Err(AppError::BadRequest(
            "invalid_request: The redirect URI is not registered for this app".into(),
        ));
    }
    match (req.code_challenge, req.code_challenge_method) {
        (None, _) => {}
        (Some(c), Some("S256")) if !c.is_empty() => {}
        _ => {
            return Err(AppError::BadRequest(
                "invalid_request: Only the S256 code challenge method is supported".into(),
            ));
        }
    }
    requested_scopes(req.app, req.scope)
}

/// The person approved: a single-use code for the app.
pub async fn create_code(
    state: &AppState,
    req: &AuthorizationRequest<'_>,
    account: &accounts::Model,
) -> AppResult<String> {
    let scopes = check_authorization(req)?;
    let code = random_secret();
    db::oauth::insert_code(
        &state.db.write,
        codes::ActiveModel {
            id: Set(state.ids.next()),
            code_hash: Set(hash(&code)),
            application_id: Set(req.app.id),
            account_id: Set(account.id),
            scopes: Set(scopes.as_string()),
            redirect_uri: Set(req.redirect_uri.to_string()),
            code_challenge: Set(req.code_challenge.map(str::to_string)),
            code_challenge_method: Set(req.code_challenge_method.map(str::to_string)),
            expires_at: Set(db::now() + CODE_LIFETIME),
            used_at: Set(None),
        },
    )
    .await?;
    Ok(code)
}

/// `grant_type=authorization_code`: the code (and PKCE verifier) exchanged for a token.
pub async fn code_grant(
    state: &AppState,
    app: &apps::Model,
    code: &str,
    redirect_uri: &str,
    code_verifier: Option<&str>,
) -> AppResult<IssuedToken> {
    let invalid = |why: &str| AppError::BadRequest(format!("invalid_grant: {why}"));
    let row = db::oauth::take_code(&state.db.write, &hash(code))
        .await?
        .ok_or_else(|| invalid("The authorization code is invalid, expired or used"))?;
    if row.application_id != app.id {
        return Err(invalid(
            "The authorization code was issued to another client",
        ));
    }
    if row.redirect_uri != redirect_uri {
        return Err(invalid(
            "The redirect URI does not match the authorization request",
        ));
    }
    if let Some(challenge) = &row.code_challenge {
        let verifier = code_verifier.ok_or_else(|| invalid("The code verifier is missing"))?;
        if B64URL.encode(Sha256::digest(verifier.as_bytes())) != *challenge {
            return Err(invalid("The code verifier does not match the challenge"));
        }
    }
    let account = db::accounts::find(&state.db.read, row.account_id)
        .await?
        .ok_or_else(|| invalid("The account is gone"))?;
    if account.suspended_at.is_some() {
        return Err(invalid("The account is suspended"));
    }
    issue(state, app, Some(account.id), &Scopes::parse(&row.scopes)?).await
}

/// Revokes a token of this app (RFC 7009: an unknown token is not an error).
pub async fn revoke(state: &AppState, app: &apps::Model, token: &str) -> AppResult<()> {
    if let Some(t) = db::oauth::token_by_hash(&state.db.read, &hash(token)).await?
        && t.application_id == app.id
    {
        db::oauth::revoke_token(&state.db.write, t.id).await?;
    }
    Ok(())
}

/// Who a bearer token speaks for.
#[derive(Clone, Debug)]
pub struct TokenAuth {
    pub token: tokens::Model,
    pub app: apps::Model,
    pub account: Option<accounts::Model>,
    pub scopes: Scopes,
}

/// Checks a bearer token: live, its account neither suspended nor unapproved.
pub async fn authenticate_token(state: &AppState, bearer: &str) -> AppResult<TokenAuth> {
    let invalid = || AppError::Unauthorized("The access token is invalid".into());
    let db::oauth::TokenWithOwner {
        token,
        app,
        account,
    } = db::oauth::token_auth_by_hash(&state.db.read, &hash(bearer))
        .await?
        .ok_or_else(invalid)?;
    let account = match (token.account_id, account) {
        (Some(_), Some((a, user))) => {
            if a.suspended_at.is_some() {
                return Err(AppError::Forbidden(
                    "Your login is currently disabled".into(),
                ));
            }
            if user.is_some_and(|u| !u.approved) {
                return Err(AppError::Forbidden(
                    "Your login is currently pending approval".into(),
                ));
            }
            Some(a)
        }
        // The token's account is gone.
        (Some(_), None) => return Err(invalid()),
        (None, _) => None,
    };
    let scopes = Scopes::parse(&token.scopes)?;
    Ok(TokenAuth {
        token,
        app,
        account,
        scopes,
    })
}

/// How stale a token's `last_used_at` may get: as in Mastodon, it is written
/// at most this often, not on every request (a write per API call would put
/// every read behind SQLite's single writer).
const LAST_USED_GRANULARITY: chrono::Duration = chrono::Duration::minutes(5);

/// Records that `token` was used, unless that was recorded recently. Best
/// effort: a failure here never fails the request.
pub async fn note_token_use(state: &AppState, token: &tokens::Model) {
    let now = db::now();
    if token
        .last_used_at
        .is_some_and(|t| now - t < LAST_USED_GRANULARITY)
    {
        return;
    }
    if let Err(e) = db::oauth::touch_token(&state.db.write, token.id).await {
        tracing::debug!(error = %e, "cannot record a token's last use");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_follow_mastodon() {
        let s = Scopes::parse("read write:statuses follow").unwrap();
        assert!(s.allows("read:statuses") && s.allows("read:notifications") && s.allows("read"));
        assert!(s.allows("write:statuses"));
        assert!(!s.allows("write:favourites") && !s.allows("write"));
        assert!(
            s.allows("write:follows") && s.allows("write:blocks"),
            "follow grants follows, blocks and mutes"
        );
        assert!(s.allows("profile"), "read:accounts covers profile");
        assert!(Scopes::parse("read:nonsense").is_err());
        assert!(Scopes::parse("admin:read:accounts").is_ok());
        assert_eq!(Scopes::parse("").unwrap().as_string(), "read");
        assert!(
            Scopes::parse("read:statuses")
                .unwrap()
                .within(&Scopes::parse("read write").unwrap())
        );
        assert!(
            !Scopes::parse("write")
                .unwrap()
                .within(&Scopes::parse("read").unwrap())
        );
        assert!(Scopes::parse("profile").unwrap().allows("profile"));
        assert!(!Scopes::parse("profile").unwrap().allows("read:statuses"));
    }

    #[test]
    fn redirect_uris() {
        for ok in [
            "https://app.example/cb",
            "com.example.app:/oauth",
            "http://127.0.0.1:8765/cb",
            "http://localhost/cb",
            OOB,
        ] {
            assert!(valid_redirect_uri(ok), "{ok}");
        }
        for bad in [
            "http://app.example/cb",
            "javascript:alert(1)",
            "data:text/html,x",
            "not a uri",
            "https://app.example/cb#frag",
        ] {
            assert!(!valid_redirect_uri(bad), "{bad}");
        }
    }
}
