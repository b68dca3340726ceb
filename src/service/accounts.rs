//! Local accounts and their logins: registration, authentication, passwords,
//! suspension.
use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use entity::{Role, accounts, users};
use regex::Regex;
use sea_orm::{Set, TransactionTrait};

use super::blocking;
use crate::apub;
use crate::db;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub const MIN_PASSWORD_CHARS: usize = 8;
pub const MAX_PASSWORD_CHARS: usize = 72;
pub const MAX_USERNAME_CHARS: usize = 30;

/// Names that would confuse people or collide with paths and well-known roles.
const RESERVED_USERNAMES: &[&str] = &[
    "admin",
    "administrator",
    "root",
    "webmaster",
    "postmaster",
    "hostmaster",
    "abuse",
    "support",
    "help",
    "security",
    "moderator",
    "mod",
    "mods",
    "staff",
    "system",
    "kith",
    "instance",
    "actor",
    "inbox",
    "outbox",
    "api",
    "oauth",
    "settings",
    "about",
    "explore",
    "tags",
    "users",
    "well-known",
    "nodeinfo",
    "null",
    "undefined",
];

static USERNAME: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)] // a constant pattern, covered by tests
    Regex::new(r"^[A-Za-z0-9_]+$").expect("username pattern")
});

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    Regex::new(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)*$").expect("email pattern")
});

/// An address of the shape `name@host.tld` (what sign-up accepts).
pub fn looks_like_email(s: &str) -> bool {
    s.len() <= 254 && EMAIL.is_match(s)
}

#[derive(Clone, Debug)]
pub struct NewUser {
    pub username: String,
    pub email: String,
    pub password: String,
    pub role: Role,
    /// False when registrations need an admin's approval first.
    pub approved: bool,
    /// True when the address needs no confirmation (created by an admin).
    pub confirmed: bool,
    pub locale: String,
    /// An admin may take a reserved name.
    pub allow_reserved: bool,
}

impl NewUser {
    pub fn new(username: &str, email: &str, password: &str) -> NewUser {
        NewUser {
            username: username.to_string(),
            email: email.to_string(),
            password: password.to_string(),
            role: Role::User,
            approved: true,
            confirmed: true,
            locale: "en".into(),
            allow_reserved: false,
        }
    }
}

pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

fn validate_new_user(u: &NewUser) -> AppResult<()> {
    let name = u.username.as_str();
    if name.is_empty() {
        return Err(AppError::validation(
            "Validation failed: Username can't be blank",
        ));
    }
    if name.chars().count() > MAX_USERNAME_CHARS {
        return Err(AppError::validation(format!(
            "Validation failed: Username is too long (maximum is {MAX_USERNAME_CHARS} characters)"
        )));
    }
    if !USERNAME.is_match(name) {
        return Err(AppError::validation(
            "Validation failed: Username must contain only letters, numbers and underscores",
        ));
    }
    if !u.allow_reserved && RESERVED_USERNAMES.contains(&name.to_lowercase().as_str()) {
        return Err(AppError::validation(
            "Validation failed: Username is reserved",
        ));
    }
    let email = normalise_email(&u.email);
    if email.len() > 254 || !EMAIL.is_match(&email) {
        return Err(AppError::validation("Validation failed: Email is invalid"));
    }
    validate_password(&u.password)
}

pub fn validate_password(p: &str) -> AppResult<()> {
    let n = p.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(AppError::validation(format!(
            "Validation failed: Password is too short (minimum is {MIN_PASSWORD_CHARS} characters)"
        )));
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(AppError::validation(format!(
            "Validation failed: Password is too long (maximum is {MAX_PASSWORD_CHARS} characters)"
        )));
    }
    Ok(())
}

async fn hash_password(password: String) -> AppResult<String> {
    blocking(move || {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AppError::internal(format!("password hashing failed: {e}")))
    })
    .await?
}

async fn verify_password(password: String, hash: String) -> AppResult<bool> {
    blocking(move || {
        let Ok(parsed) = PasswordHash::new(&hash) else {
            return false;
        };
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
    .await
}

/// The username of the instance's own actor. It has a dot, which no person's
/// username may have, so it can never be taken.
pub const INSTANCE_ACTOR: &str = "instance.actor";

/// Finds or creates the instance actor: a local `Service` account without a
/// login that signs the fetches this server makes.
pub async fn ensure_instance_actor(state: &AppState) -> AppResult<accounts::Model> {
    if let Some(a) = db::accounts::find_by_username(&state.db.read, INSTANCE_ACTOR, None).await? {
        return Ok(a);
    }
    let keys = blocking(apub::keys::generate)
        .await?
        .map_err(AppError::internal)?;
    let mut model = new_local_account(state, INSTANCE_ACTOR, keys);
    model.bot = Set(true);
    model.locked = Set(true);
    model.discoverable = Set(false);
    match db::accounts::insert(&state.db.write, model).await {
        Ok(a) => Ok(a),
        // Another task made it meanwhile.
        Err(_) => db::accounts::find_by_username(&state.db.read, INSTANCE_ACTOR, None)
            .await?
            .ok_or_else(AppError::not_found),
    }
}

fn new_local_account(
    state: &AppState,
    username: &str,
    keys: apub::keys::KeyPair,
) -> accounts::ActiveModel {
    let urls = apub::local_actor_urls(&state.base_url(), username);
    let now = db::now();
    accounts::ActiveModel {
        id: Set(state.ids.next()),
        username: Set(username.to_string()),
        domain: Set(None),
        display_name: Set(String::new()),
        note: Set(String::new()),
        note_source: Set(Some(String::new())),
        avatar_url: Set(None),
        header_url: Set(None),
        locked: Set(false),
        bot: Set(false),
        discoverable: Set(true),
        fields: Set(serde_json::json!([])),
        uri: Set(urls.uri),
        url: Set(Some(urls.url)),
        inbox_url: Set(urls.inbox),
        shared_inbox_url: Set(Some(urls.shared_inbox)),
        outbox_url: Set(Some(urls.outbox)),
        followers_url: Set(Some(urls.followers)),
        following_url: Set(Some(urls.following)),
        public_key_pem: Set(keys.public_pem),
        private_key_pem: Set(Some(keys.private_pem)),
        followers_count: Set(0),
        following_count: Set(0),
        statuses_count: Set(0),
        last_status_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        last_fetched_at: Set(None),
        suspended_at: Set(None),
    }
}

/// Creates a local account and its login in one transaction, with a fresh RSA
/// key pair for federation.
pub async fn register(
    state: &AppState,
    input: NewUser,
) -> AppResult<(accounts::Model, users::Model)> {
    validate_new_user(&input)?;
    let email = normalise_email(&input.email);
    // Fail early on the common cases, with the message people expect; the unique
    // indexes still guard against a race between two sign-ups.
    if db::accounts::find_by_username(&state.db.read, &input.username, None)
        .await?
        .is_some()
    {
        return Err(AppError::validation(
            "Validation failed: Username has already been taken",
        ));
    }
    if db::users::find_by_email(&state.db.read, &email)
        .await?
        .is_some()
    {
        return Err(AppError::validation(
            "Validation failed: Email has already been taken",
        ));
    }
    let password_hash = hash_password(input.password.clone()).await?;
    let keys = blocking(apub::keys::generate)
        .await?
        .map_err(AppError::internal)?;

    let now = db::now();
    let account = new_local_account(state, &input.username, keys);
    let txn = state.db.write.begin().await?;
    let account = db::accounts::insert(&txn, account)
        .await
        .map_err(|e| taken(e, "Username"))?;
    let user = db::users::insert(
        &txn,
        users::ActiveModel {
            id: Set(state.ids.next()),
            account_id: Set(account.id),
            email: Set(email),
            password_hash: Set(password_hash),
            role: Set(input.role),
            approved: Set(input.approved),
            confirmed_at: Set(input.confirmed.then_some(now)),
            locale: Set(input.locale),
            created_at: Set(now),
            updated_at: Set(now),
            last_sign_in_at: Set(None),
        },
    )
    .await
    .map_err(|e| taken(e, "Email"))?;
    txn.commit().await?;
    Ok((account, user))
}

/// A unique violation on insert means someone took the name or address meanwhile.
fn taken(e: sea_orm::DbErr, what: &str) -> AppError {
    match AppError::from(e) {
        AppError::Validation(_) => {
            AppError::validation(format!("Validation failed: {what} has already been taken"))
        }
        other => other,
    }
}

/// Checks a login (e-mail address or username) and password. The same error for
/// an unknown login and a wrong password, and the same work for both.
pub async fn authenticate(
    state: &AppState,
    login: &str,
    password: &str,
) -> AppResult<(accounts::Model, users::Model)> {
    let invalid = || AppError::Unauthorized("Invalid email or password".into());
    let login = login.trim();
    let user = if login.contains('@') {
        db::users::find_by_email(&state.db.read, &normalise_email(login)).await?
    } else {
        match db::accounts::find_by_username(&state.db.read, login, None).await? {
            Some(a) => db::users::find_by_account(&state.db.read, a.id).await?,
            None => None,
        }
    };
    let Some(user) = user else {
        // Spend the time a real check would, so response times do not reveal accounts.
        let _ = hash_password(password.to_string()).await;
        return Err(invalid());
    };
    if !verify_password(password.to_string(), user.password_hash.clone()).await? {
        return Err(invalid());
    }
    let account = db::accounts::find(&state.db.read, user.account_id)
        .await?
        .ok_or_else(invalid)?;
    if account.suspended_at.is_some() {
        return Err(AppError::Forbidden(
            "Your login is currently disabled".into(),
        ));
    }
    if !user.approved {
        return Err(AppError::Forbidden(
            "Your login is currently pending approval".into(),
        ));
    }
    db::users::touch_sign_in(&state.db.write, user.id).await?;
    Ok((account, user))
}

/// A local account and its login by username, or 404.
pub async fn find_local(
    state: &AppState,
    username: &str,
) -> AppResult<(accounts::Model, users::Model)> {
    let account = db::accounts::find_by_username(&state.db.read, username, None)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("No local user named {username}")))?;
    let user = db::users::find_by_account(&state.db.read, account.id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("No local user named {username}")))?;
    Ok((account, user))
}

/// A local account that others may see (not suspended), by username, or 404.
pub async fn find_visible_local(state: &AppState, username: &str) -> AppResult<accounts::Model> {
    match db::accounts::find_by_username(&state.db.read, username, None).await? {
        Some(a) if a.suspended_at.is_none() => Ok(a),
        _ => Err(AppError::not_found()),
    }
}

/// What a person may change about their profile; `None` leaves a value as it is.
#[derive(Clone, Debug, Default)]
pub struct ProfileUpdate {
    pub display_name: Option<String>,
    /// Plain text, rendered like a status (links, mentions, hashtags).
    pub note: Option<String>,
    pub locked: Option<bool>,
    pub bot: Option<bool>,
    pub discoverable: Option<bool>,
    /// `(name, value)` pairs, plain text.
    pub fields: Option<Vec<(String, String)>>,
    /// A new profile picture (cropped square) and header (cropped 3:1).
    pub avatar: Option<super::media::Upload>,
    pub header: Option<super::media::Upload>,
}

pub const MAX_DISPLAY_NAME_CHARS: usize = 30;
pub const MAX_NOTE_CHARS: usize = 500;
pub const MAX_FIELDS: usize = 4;
pub const MAX_FIELD_CHARS: usize = 255;

/// Changes a local profile and tells the servers of remote followers (an Update).
pub async fn update_profile(
    state: &AppState,
    account: &accounts::Model,
    u: ProfileUpdate,
) -> AppResult<accounts::Model> {
    use sea_orm::IntoActiveModel;
    if !account.is_local() {
        return Err(AppError::Forbidden(
            "only local profiles can be changed here".into(),
        ));
    }
    let mut m = account.clone().into_active_model();
    if let Some(name) = u.display_name {
        if name.chars().count() > MAX_DISPLAY_NAME_CHARS {
            return Err(AppError::validation(format!(
                "Validation failed: Display name is too long (maximum is {MAX_DISPLAY_NAME_CHARS} characters)"
            )));
        }
        m.display_name = Set(name.trim().to_string());
    }
    if let Some(note) = u.note {
        if note.chars().count() > MAX_NOTE_CHARS {
            return Err(AppError::validation(format!(
                "Validation failed: Note is too long (maximum is {MAX_NOTE_CHARS} characters)"
            )));
        }
        let base = state.base_url();
        m.note = Set(super::text::render(&note, &[], |t| {
            format!("{base}/tags/{t}")
        }));
        m.note_source = Set(Some(note));
    }
    if let Some(v) = u.locked {
        m.locked = Set(v);
    }
    if let Some(v) = u.bot {
        m.bot = Set(v);
    }
    if let Some(v) = u.discoverable {
        m.discoverable = Set(v);
    }
    if let Some(fields) = u.fields {
        if fields.len() > MAX_FIELDS {
            return Err(AppError::validation(format!(
                "Validation failed: at most {MAX_FIELDS} profile fields"
            )));
        }
        if fields.iter().any(|(n, v)| {
            n.chars().count() > MAX_FIELD_CHARS || v.chars().count() > MAX_FIELD_CHARS
        }) {
            return Err(AppError::validation(format!(
                "Validation failed: profile fields are at most {MAX_FIELD_CHARS} characters"
            )));
        }
        let base = state.base_url();
        let json: Vec<serde_json::Value> = fields
            .iter()
            .filter(|(n, v)| !n.trim().is_empty() || !v.trim().is_empty())
            .map(|(n, v)| {
                let value = super::text::render(v, &[], |t| format!("{base}/tags/{t}"));
                let value = value
                    .strip_prefix("<p>")
                    .and_then(|x| x.strip_suffix("</p>"))
                    .unwrap_or(&value)
                    .to_string();
                serde_json::json!({ "name": n.trim(), "value": value, "verified_at": null })
            })
            .collect();
        m.fields = Set(serde_json::Value::Array(json));
    }
    m.updated_at = Set(db::now());
    // Pictures last, once everything else is known to be valid; files stored
    // for a change that then fails are removed again.
    use super::media::{ProfileImage, forget_profile_image, store_profile_image};
    let mut stored: Vec<String> = Vec::new();
    for (file, which) in [
        (&u.avatar, ProfileImage::Avatar),
        (&u.header, ProfileImage::Header),
    ] {
        let Some(file) = file else { continue };
        match store_profile_image(state, account, which, file).await {
            Ok(url) => {
                match which {
                    ProfileImage::Avatar => m.avatar_url = Set(Some(url.clone())),
                    ProfileImage::Header => m.header_url = Set(Some(url.clone())),
                }
                stored.push(url);
            }
            Err(e) => {
                for url in &stored {
                    forget_profile_image(state, Some(url)).await;
                }
                return Err(e);
            }
        }
    }
    let saved = async {
        let txn = state.db.write.begin().await?;
        let saved = db::accounts::update(&txn, m).await?;
        let person = crate::apub::context::with_context(
            &crate::apub::objects::person::Person::from_account(&saved),
        );
        let activity =
            crate::apub::activities::update::update_person(&saved.uri, person, state.ids.next());
        let inboxes = db::deliveries::remote_follower_inboxes(&txn, saved.id).await?;
        super::outbox::emit(&txn, state, &saved, activity, inboxes).await?;
        txn.commit().await?;
        AppResult::Ok(saved)
    }
    .await;
    let saved = match saved {
        Ok(s) => s,
        Err(e) => {
            for url in &stored {
                forget_profile_image(state, Some(url)).await;
            }
            return Err(e);
        }
    };
    if u.avatar.is_some() && account.avatar_url != saved.avatar_url {
        forget_profile_image(state, account.avatar_url.as_deref()).await;
    }
    if u.header.is_some() && account.header_url != saved.header_url {
        forget_profile_image(state, account.header_url.as_deref()).await;
    }
    super::outbox::kick(state);
    Ok(saved)
}

/// A remote actor's profile, already sanitised, as the federation layer read it.
#[derive(Clone, Debug, PartialEq)]
pub struct RemoteProfile {
    pub uri: String,
    pub username: String,
    /// `host[:port]` of the actor's id.
    pub domain: String,
    pub display_name: String,
    pub note_html: String,
    pub url: Option<String>,
    pub inbox: String,
    pub shared_inbox: Option<String>,
    pub outbox: Option<String>,
    pub followers: Option<String>,
    pub following: Option<String>,
    pub public_key_pem: String,
    pub locked: bool,
    pub bot: bool,
    pub discoverable: bool,
    pub avatar_url: Option<String>,
    pub header_url: Option<String>,
    /// `(name, value HTML)`
    pub fields: Vec<(String, String)>,
}

/// Stores a remote actor: inserts it the first time, refreshes it after. The
/// actor's id never changes; everything else may.
pub async fn upsert_remote(state: &AppState, p: RemoteProfile) -> AppResult<accounts::Model> {
    let fields = serde_json::Value::Array(
        p.fields
            .iter()
            .map(|(n, v)| serde_json::json!({ "name": n, "value": v, "verified_at": null }))
            .collect(),
    );
    let now = db::now();
    let p_uri = p.uri.clone();
    let existing = db::accounts::find_by_uri(&state.db.write, &p.uri).await?;
    let mut m: accounts::ActiveModel = match &existing {
        Some(a) => {
            if a.is_local() {
                return Err(AppError::validation(
                    "a remote profile cannot replace a local account",
                ));
            }
            a.clone().into()
        }
        None => accounts::ActiveModel {
            id: Set(state.ids.next()),
            uri: Set(p.uri.clone()),
            followers_count: Set(0),
            following_count: Set(0),
            statuses_count: Set(0),
            last_status_at: Set(None),
            created_at: Set(now),
            suspended_at: Set(None),
            private_key_pem: Set(None),
            note_source: Set(None),
            ..Default::default()
        },
    };
    m.username = Set(p.username);
    m.domain = Set(Some(p.domain));
    m.display_name = Set(p.display_name);
    m.note = Set(p.note_html);
    m.url = Set(p.url);
    m.inbox_url = Set(p.inbox);
    m.shared_inbox_url = Set(p.shared_inbox);
    m.outbox_url = Set(p.outbox);
    m.followers_url = Set(p.followers);
    m.following_url = Set(p.following);
    m.public_key_pem = Set(p.public_key_pem);
    m.locked = Set(p.locked);
    m.bot = Set(p.bot);
    m.discoverable = Set(p.discoverable);
    m.avatar_url = Set(p.avatar_url);
    m.header_url = Set(p.header_url);
    m.fields = Set(fields);
    m.updated_at = Set(now);
    m.last_fetched_at = Set(Some(now));
    let saved = match existing {
        Some(_) => db::accounts::update(&state.db.write, m).await?,
        None => match db::accounts::insert(&state.db.write, m).await {
            Ok(a) => a,
            // Another request stored the same actor meanwhile (a burst of
            // activities from an actor seen for the first time): use its row.
            Err(e) => db::accounts::find_by_uri(&state.db.write, &p_uri)
                .await?
                .ok_or(e)?,
        },
    };
    Ok(saved)
}

/// A remote actor deleted on its own server (an incoming Delete of the actor):
/// its statuses are taken down, its follows end and it is marked suspended, so
/// nothing of it shows any more.
pub async fn receive_remote_actor_delete(
    state: &AppState,
    account: &accounts::Model,
) -> AppResult<()> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
    if account.is_local() {
        return Err(AppError::Forbidden(
            "a local account cannot be deleted this way".into(),
        ));
    }
    let ids: Vec<i64> = entity::statuses::Entity::find()
        .select_only()
        .column(entity::statuses::Column::Id)
        .filter(entity::statuses::Column::AccountId.eq(account.id))
        .filter(entity::statuses::Column::DeletedAt.is_null())
        .filter(entity::statuses::Column::ReblogOfId.is_null())
        .into_tuple()
        .all(&state.db.read)
        .await?;
    for id in ids {
        let _ = super::statuses::delete(state, account, id).await;
    }
    for id in db::relationships::following_ids(&state.db.read, account.id, 100_000).await? {
        super::relationships::receive_unfollow_by_ids(state, account.id, id).await?;
    }
    for id in db::relationships::follower_ids(&state.db.read, account.id, 100_000).await? {
        super::relationships::receive_unfollow_by_ids(state, id, account.id).await?;
    }
    db::accounts::set_suspended(&state.db.write, account.id, Some(db::now())).await?;
    Ok(())
}

/// Deletes a local account for good: its login goes, its posts are taken down,
/// its follows end, and every server that knows it gets a Delete of the actor.
/// The account row stays, suspended, so the name is never reused and the key can
/// still sign the Delete until it is delivered.
pub async fn delete_local(state: &AppState, username: &str) -> AppResult<()> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
    let (account, user) = find_local(state, username).await?;
    let c = &state.db.read;
    let mut inboxes = db::deliveries::remote_follower_inboxes(c, account.id).await?;
    let following = db::relationships::following_ids(c, account.id, 100_000).await?;
    for a in db::accounts::find_many(c, &following).await? {
        inboxes.extend(super::outbox::inbox_of(&a));
    }
    let status_ids: Vec<i64> = entity::statuses::Entity::find()
        .select_only()
        .column(entity::statuses::Column::Id)
        .filter(entity::statuses::Column::AccountId.eq(account.id))
        .filter(entity::statuses::Column::DeletedAt.is_null())
        .into_tuple()
        .all(c)
        .await?;
    let txn = state.db.write.begin().await?;
    for id in status_ids {
        db::feeds::remove_status(&txn, id).await?;
        db::statuses::soft_delete(&txn, id).await?;
    }
    for id in following {
        db::relationships::delete_follow(&txn, account.id, id).await?;
        db::accounts::bump(&txn, id, db::accounts::Counter::Followers, -1).await?;
    }
    for id in db::relationships::follower_ids(&txn, account.id, 100_000).await? {
        db::relationships::delete_follow(&txn, id, account.id).await?;
        db::accounts::bump(&txn, id, db::accounts::Counter::Following, -1).await?;
    }
    entity::users::Entity::delete_by_id(user.id)
        .exec(&txn)
        .await?;
    db::accounts::set_suspended(&txn, account.id, Some(db::now())).await?;
    let activity = serde_json::json!({
        "id": format!("{}#delete", account.uri),
        "type": "Delete",
        "actor": account.uri,
        "object": account.uri,
        "to": [crate::apub::context::PUBLIC],
    });
    super::outbox::emit(&txn, state, &account, activity, inboxes).await?;
    txn.commit().await?;
    super::outbox::kick(state);
    Ok(())
}

pub async fn reset_password(state: &AppState, username: &str, new_password: &str) -> AppResult<()> {
    validate_password(new_password)?;
    let (_, user) = find_local(state, username).await?;
    let hash = hash_password(new_password.to_string()).await?;
    db::users::set_password_hash(&state.db.write, user.id, &hash).await?;
    Ok(())
}

/// A person changes their own password: the current one must be right.
pub async fn change_password(
    state: &AppState,
    account: &accounts::Model,
    current: &str,
    new_password: &str,
) -> AppResult<()> {
    let user = db::users::find_by_account(&state.db.read, account.id)
        .await?
        .ok_or_else(AppError::not_found)?;
    if !verify_password(current.to_string(), user.password_hash.clone()).await? {
        return Err(AppError::validation(
            "Validation failed: Current password is invalid",
        ));
    }
    validate_password(new_password)?;
    let hash = hash_password(new_password.to_string()).await?;
    db::users::set_password_hash(&state.db.write, user.id, &hash).await?;
    Ok(())
}

/// Suspends (or lifts the suspension of) a local account: a suspended person
/// cannot log in and their statuses are hidden from everyone else.
pub async fn set_suspended(
    state: &AppState,
    username: &str,
    suspended: bool,
) -> AppResult<accounts::Model> {
    let (account, _) = find_local(state, username).await?;
    let at = if suspended {
        Some(account.suspended_at.unwrap_or_else(db::now))
    } else {
        None
    };
    db::accounts::set_suspended(&state.db.write, account.id, at).await?;
    db::accounts::find(&state.db.read, account.id)
        .await?
        .ok_or_else(AppError::not_found)
}

/// Every local account with its login, oldest first.
pub async fn list_users(state: &AppState) -> AppResult<Vec<(accounts::Model, users::Model)>> {
    let accounts = db::accounts::list_local(&state.db.read).await?;
    let ids: Vec<i64> = accounts.iter().map(|a| a.id).collect();
    let mut users = db::users::find_for_accounts(&state.db.read, &ids).await?;
    let mut out = Vec::with_capacity(accounts.len());
    for a in accounts {
        if let Some(pos) = users.iter().position(|u| u.account_id == a.id) {
            out.push((a, users.swap_remove(pos)));
        }
    }
    Ok(out)
}

/// Accounts by id (missing ones left out), in no particular order.
pub async fn find_many(state: &AppState, ids: &[i64]) -> AppResult<Vec<accounts::Model>> {
    Ok(db::accounts::find_many(&state.db.read, ids).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_and_emails_are_checked() {
        let ok = NewUser::new("alice_1", "Alice@Example.org", "correct horse");
        assert!(validate_new_user(&ok).is_ok());
        for (name, email, pw, why) in [
            ("", "a@b.org", "correct horse", "blank"),
            ("al ice", "a@b.org", "correct horse", "letters"),
            ("alice.", "a@b.org", "correct horse", "letters"),
            ("admin", "a@b.org", "correct horse", "reserved"),
            (&"x".repeat(31), "a@b.org", "correct horse", "too long"),
            ("alice", "not-an-email", "correct horse", "Email"),
            ("alice", "a@b@c.org", "correct horse", "Email"),
            ("alice", "a@b.org", "short", "too short"),
            ("alice", "a@b.org", &"p".repeat(73), "too long"),
        ] {
            let e = validate_new_user(&NewUser::new(name, email, pw)).unwrap_err();
            assert!(matches!(e, AppError::Validation(_)), "{name}: {e:?}");
            assert!(e.to_string().contains(why), "{name}: {e}");
        }
    }
}
