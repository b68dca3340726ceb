//! Every string the web site shows, in one table, so that the site can be
//! translated: templates read them as `t.key`, handlers with [`t`].
use std::collections::BTreeMap;

/// `(key, English)`.
pub const EN: &[(&str, &str)] = &[
    ("welcome", "Welcome to"),
    (
        "tagline",
        "A social network for the people you know. Share news, photos and thoughts with friends, follow people here and on other servers, and trade messages.",
    ),
    ("sign_up", "Sign up"),
    ("log_in", "Log in"),
    ("log_out", "Log out"),
    ("username", "Username"),
    (
        "username_hint",
        "Letters, numbers and underscores. This will be your @name.",
    ),
    ("email", "E-mail address"),
    ("password", "Password"),
    ("password_hint", "At least 8 characters."),
    ("login_field", "E-mail address or username"),
    ("have_account", "Already have an account?"),
    ("no_account", "New here?"),
    ("rules", "Rules"),
    ("about", "About this server"),
    ("registrations_open", "Anyone may sign up."),
    (
        "registrations_approval",
        "Sign-ups are reviewed by the server's staff before you can log in.",
    ),
    (
        "registrations_invite",
        "This server admits new people by invitation.",
    ),
    (
        "registrations_closed",
        "Sign-ups are closed on this server.",
    ),
    ("invite_code", "Invitation code"),
    ("pending_title", "Thanks for signing up"),
    (
        "pending_body",
        "Your account waits for approval by the server's staff. You can log in once it is approved.",
    ),
    ("home", "Home"),
    ("news_feed", "News feed"),
    ("friends", "Friends"),
    ("messages", "Messages"),
    ("notifications", "Notifications"),
    ("settings", "Settings"),
    ("admin", "Admin"),
    ("profile", "Profile"),
    ("skip", "Skip to content"),
    ("main_nav", "Main"),
    ("whats_new", "What's on your mind?"),
    ("add_photo", "Add a photo"),
    (
        "photo_alt",
        "Describe the photo for people who cannot see it",
    ),
    ("post", "Post"),
    ("posts", "Posts"),
    ("visibility", "Who can see this"),
    ("vis_public", "Everyone"),
    ("vis_unlisted", "Everyone, not in public timelines"),
    ("vis_private", "Followers only"),
    ("vis_direct", "Only people mentioned"),
    ("content_warning", "Content warning (optional)"),
    ("photos", "Photos"),
    ("alt_text", "Description of the photo (alt text)"),
    ("older", "Older posts"),
    ("newer", "Newer"),
    (
        "empty_feed",
        "Nothing here yet. Find friends and follow them, and their posts will appear here.",
    ),
    ("like", "Like"),
    ("unlike", "Unlike"),
    ("likes", "likes"),
    ("boost", "Share"),
    ("unboost", "Unshare"),
    ("boosts", "shares"),
    ("comment", "Comment"),
    ("comments", "comments"),
    ("write_comment", "Write a comment"),
    ("delete", "Delete"),
    ("shared_by", "shared by"),
    ("show_more", "Show"),
    ("replying_to", "In reply to"),
    ("follow", "Follow"),
    ("unfollow", "Unfollow"),
    ("requested", "Requested"),
    ("cancel_request", "Cancel request"),
    ("follows_you", "Follows you"),
    ("followers", "Followers"),
    ("following", "Following"),
    ("message", "Message"),
    ("edit_profile", "Edit profile"),
    (
        "locked_account",
        "Locked account: follow requests need approval",
    ),
    ("requests", "Follow requests"),
    ("approve", "Approve"),
    ("reject", "Reject"),
    ("no_requests", "No pending requests."),
    ("suggestions", "People you may know"),
    ("search", "Search"),
    ("search_people", "Find people"),
    (
        "search_hint",
        "A name, or someone on another server as @name@server.example",
    ),
    ("no_results", "No one found."),
    ("nobody", "No one yet."),
    ("conversations", "Conversations"),
    (
        "no_conversations",
        "No messages yet. Open someone's profile and choose Message.",
    ),
    ("new_message", "New message"),
    ("to", "To"),
    ("to_hint", "@name, or @name@server.example"),
    ("write_message", "Write a message"),
    ("send", "Send"),
    ("unread", "unread"),
    ("no_notifications", "No notifications yet."),
    ("n_follow", "followed you"),
    ("n_follow_request", "asked to follow you"),
    ("n_favourite", "liked your post"),
    ("n_reblog", "shared your post"),
    ("n_mention", "mentioned you"),
    ("n_status", "posted"),
    ("n_update", "edited a post"),
    ("display_name", "Display name"),
    ("bio", "Bio"),
    ("fields", "Profile fields"),
    ("field_name", "Label"),
    ("field_value", "Content"),
    ("avatar", "Profile picture"),
    ("header", "Header image"),
    ("avatar_of", "Profile picture of"),
    ("header_of", "Header image of"),
    ("image_hint", "PNG, JPEG, GIF or WebP."),
    ("locked", "Require approval of new followers"),
    ("save", "Save changes"),
    ("saved", "Saved."),
    ("change_password", "Change password"),
    ("current_password", "Current password"),
    ("new_password", "New password"),
    (
        "password_changed",
        "Your password was changed. Your other sessions were logged out.",
    ),
    ("sessions", "Sessions"),
    ("sessions_intro", "Browsers logged in to your account."),
    ("this_session", "This session"),
    ("last_active", "Last active"),
    ("revoke", "Revoke"),
    ("apps", "Authorised apps"),
    ("no_apps", "No apps have access to your account."),
    ("users", "Users"),
    ("role", "Role"),
    ("status", "Status"),
    ("active", "Active"),
    ("pending", "Pending approval"),
    ("suspended", "Suspended"),
    ("suspend", "Suspend"),
    ("unsuspend", "Lift suspension"),
    ("make_admin", "Make admin"),
    ("make_moderator", "Make moderator"),
    ("make_user", "Make user"),
    ("invites", "Invitations"),
    ("create_invite", "Create an invitation link"),
    ("max_uses", "Maximum uses (empty: no limit)"),
    ("expires_days", "Expires after days (empty: never)"),
    ("uses", "Uses"),
    ("instance", "Server"),
    (
        "instance_settings_note",
        "Saved settings take precedence over the server's configuration file.",
    ),
    ("characters", "characters"),
    ("instance_name", "Server name"),
    ("instance_description", "Description"),
    (
        "instance_description_hint",
        "Shown on the front page and to apps. Plain text.",
    ),
    ("contact_email", "Contact e-mail address"),
    ("registrations", "Who may sign up"),
    ("registrations_choice_open", "Anyone"),
    (
        "registrations_choice_approval",
        "Anyone, after an admin approves",
    ),
    (
        "registrations_choice_invite",
        "Only people with an invitation link",
    ),
    ("registrations_choice_closed", "Nobody"),
    ("max_status_chars", "Longest post, in characters"),
    ("save_settings", "Save settings"),
    ("settings_saved", "Settings saved"),
    ("rule_text", "Rule"),
    ("rule_hint", "Explanation (optional)"),
    ("add_rule", "Add rule"),
    ("save_rule", "Save rule"),
    ("no_rules", "This server has no rules yet."),
    ("error", "Something went wrong"),
    ("not_found", "Not found"),
    (
        "not_found_body",
        "There is nothing here, or you may not see it.",
    ),
    (
        "forbidden_form",
        "The form expired or did not come from this site. Go back, reload the page and try again.",
    ),
    ("go_home", "Go to the home page"),
    ("live_new", "new"),
    (
        "remote_note",
        "This profile lives on another server; what you see is what this server knows.",
    ),
    ("view_original", "View on the original server"),
];

/// The table as a map, for templates.
pub fn table() -> BTreeMap<&'static str, &'static str> {
    EN.iter().copied().collect()
}

/// One string by key (the key itself if it is missing, so a gap shows).
pub fn t(key: &'static str) -> &'static str {
    EN.iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| *v)
        .unwrap_or(key)
}

#[cfg(test)]
mod tests {
    #[test]
    fn keys_are_unique() {
        let mut keys: Vec<&str> = super::EN.iter().map(|(k, _)| *k).collect();
        keys.sort_unstable();
        let n = keys.len();
        keys.dedup();
        assert_eq!(n, keys.len());
    }
}
