use chrono::Utc;
use sea_orm::{ConnectionTrait, QueryResult};
use ucm_types::{NewUser, Role, User};

use crate::auth;
use crate::db::{query_all, query_one, Db};
use crate::error::{AppError, AppResult, Validator};

pub(crate) fn role_from_str(s: &str) -> Role {
    if s == "admin" {
        Role::Admin
    } else {
        Role::Staff
    }
}

pub(crate) fn role_str(r: Role) -> &'static str {
    match r {
        Role::Admin => "admin",
        Role::Staff => "staff",
    }
}

pub(crate) fn user_from_row(row: &QueryResult) -> AppResult<User> {
    Ok(User {
        id: row.try_get("", "id")?,
        username: row.try_get("", "username")?,
        name: row.try_get("", "name")?,
        email: row.try_get("", "email")?,
        role: role_from_str(&row.try_get::<String>("", "role")?),
    })
}

const USER_COLUMNS: &str = "id, username, name, email, role";

pub async fn list(db: &Db) -> AppResult<Vec<User>> {
    let rows = query_all(
        &db.conn,
        &format!("SELECT {USER_COLUMNS} FROM users WHERE disabled = ? ORDER BY username, id"),
        vec![false.into()],
    )
    .await?;
    rows.iter().map(user_from_row).collect()
}

pub async fn count(db: &Db) -> AppResult<i64> {
    let row = query_one(&db.conn, "SELECT COUNT(*) AS n FROM users", vec![]).await?;
    Ok(row
        .map(|r| r.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0))
}

fn validate_username(v: &mut Validator, username: &str) -> String {
    // Stored in lower case so `Sam` and `sam` are one user.
    let u = username.trim().to_lowercase();
    if u.is_empty() || u.len() > 64 {
        v.add("username", "a username has 1 to 64 characters");
    } else if !u
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "._@-".contains(c))
    {
        v.add("username", "use letters, digits and . _ @ - only");
    }
    u
}

pub async fn create(db: &Db, input: NewUser) -> AppResult<User> {
    let mut v = Validator::new();
    let username = validate_username(&mut v, &input.username);
    if input.password.chars().count() < 10 {
        v.add("password", "a password has at least 10 characters");
    }
    let email = input.email.trim().to_owned();
    if !email.is_empty() {
        v.check(
            "email",
            crate::domain::EmailAddress::parse(&email).map(|_| ()),
        );
    }
    let name = v
        .check("name", crate::domain::optional_text(&input.name))
        .unwrap_or_default();
    v.finish()?;
    let password = input.password.clone();
    let hash = auth::hashing(move || auth::hash_password(&password)).await??;
    let txn = db.begin_write().await?;
    let taken = query_one(
        &*txn,
        "SELECT id FROM users WHERE username = ?",
        vec![username.clone().into()],
    )
    .await?;
    if taken.is_some() {
        return Err(AppError::conflict_field(
            "username",
            "this username is taken",
        ));
    }
    let row = query_one(
        &*txn,
        &format!(
            "INSERT INTO users (username, name, email, password_hash, role, disabled, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING {USER_COLUMNS}"
        ),
        vec![
            username.into(),
            name.into(),
            email.into(),
            hash.into(),
            role_str(input.role).into(),
            false.into(),
            Utc::now().into(),
        ],
    )
    .await?
    .ok_or_else(|| AppError::Internal(anyhow::anyhow!("insert returned no row")))?;
    let user = user_from_row(&row)?;
    txn.commit().await?;
    Ok(user)
}

/// Sets a user's password (the CLI's `ucm user password`).
pub async fn set_password(db: &Db, username: &str, password: &str) -> AppResult<()> {
    if password.chars().count() < 10 {
        return Err(AppError::field(
            "password",
            "a password has at least 10 characters",
        ));
    }
    let password = password.to_owned();
    let hash = auth::hashing(move || auth::hash_password(&password)).await??;
    let txn = db.begin_write().await?;
    let n = crate::db::exec(
        &*txn,
        "UPDATE users SET password_hash = ? WHERE username = ?",
        vec![hash.into(), username.trim().to_lowercase().into()],
    )
    .await?;
    if n == 0 {
        return Err(AppError::NotFound(format!("there is no user {username:?}")));
    }
    txn.commit().await?;
    Ok(())
}

/// Checks a username and password; on success returns the user.
pub async fn authenticate(db: &Db, username: &str, password: &str) -> AppResult<User> {
    let row = query_one(
        &db.conn,
        &format!("SELECT {USER_COLUMNS}, password_hash, disabled FROM users WHERE username = ?"),
        vec![username.trim().to_lowercase().into()],
    )
    .await?;
    let (user, hash, disabled) = match &row {
        Some(r) => (
            Some(user_from_row(r)?),
            r.try_get::<String>("", "password_hash")?,
            r.try_get::<bool>("", "disabled")?,
        ),
        None => (None, String::new(), false),
    };
    let password = password.to_owned();
    let known = user.is_some();
    let ok = auth::hashing(move || {
        // An unknown username is checked against a hash too, costing the same time.
        auth::verify_password(&password, if known { &hash } else { auth::dummy_hash() })
    })
    .await?;
    match user {
        Some(u) if ok && !disabled => Ok(u),
        _ => Err(AppError::Unauthorized("wrong username or password".into())),
    }
}

pub async fn get(db: &Db, id: i64) -> AppResult<User> {
    let row = query_one(
        &db.conn,
        &format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?"),
        vec![id.into()],
    )
    .await?
    .ok_or_else(|| AppError::not_found("user", id))?;
    user_from_row(&row)
}

/// Ids among `ids` that are not users.
pub async fn missing_ids<C: ConnectionTrait>(c: &C, ids: &[i64]) -> AppResult<Vec<i64>> {
    let mut missing = Vec::new();
    for id in ids {
        if query_one(c, "SELECT id FROM users WHERE id = ?", vec![(*id).into()])
            .await?
            .is_none()
        {
            missing.push(*id);
        }
    }
    Ok(missing)
}

/// Creates the first admin when the database has no users; returns its password when one was made.
pub async fn ensure_first_admin(db: &Db, configured_password: &str) -> AppResult<Option<String>> {
    if count(db).await? > 0 {
        return Ok(None);
    }
    let password = if configured_password.is_empty() {
        auth::random_password(16)
    } else {
        configured_password.to_owned()
    };
    create(
        db,
        NewUser {
            username: "admin".into(),
            name: "Administrator".into(),
            email: String::new(),
            password: password.clone(),
            role: Role::Admin,
        },
    )
    .await?;
    Ok(Some(password))
}
