//! Customer types and groups: small lists the customer screens choose from.

use sea_orm::ConnectionTrait;
use ucm_types::{CustomerType, Group, NewCustomerType, NewGroup};

use crate::db::{query_all, query_one, Db};
use crate::domain::{required_text, validate_number_mask};
use crate::error::{AppError, AppResult, Validator};

pub async fn list_types(db: &Db) -> AppResult<Vec<CustomerType>> {
    let rows = query_all(
        &db.conn,
        "SELECT id, name, number_mask FROM customer_types ORDER BY id",
        vec![],
    )
    .await?;
    rows.iter()
        .map(|r| {
            Ok(CustomerType {
                id: r.try_get("", "id")?,
                name: r.try_get("", "name")?,
                number_mask: r.try_get("", "number_mask")?,
            })
        })
        .collect()
}

pub async fn get_type<C: ConnectionTrait>(c: &C, id: i64) -> AppResult<Option<CustomerType>> {
    let row = query_one(
        c,
        "SELECT id, name, number_mask FROM customer_types WHERE id = ?",
        vec![id.into()],
    )
    .await?;
    row.map(|r| {
        Ok(CustomerType {
            id: r.try_get("", "id")?,
            name: r.try_get("", "name")?,
            number_mask: r.try_get("", "number_mask")?,
        })
    })
    .transpose()
}

pub async fn create_type(db: &Db, input: NewCustomerType) -> AppResult<CustomerType> {
    let mut v = Validator::new();
    let name = v.check("name", required_text(&input.name, "name"));
    let mask = v.check(
        "number_mask",
        validate_number_mask(input.number_mask.as_deref().unwrap_or("")),
    );
    v.finish()?;
    let (name, mut mask) = (name.unwrap_or_default(), mask.unwrap_or_default());
    if mask.is_empty() {
        mask = "C-%05s".into();
    }
    let txn = db.begin_write().await?;
    if query_one(
        &*txn,
        "SELECT id FROM customer_types WHERE LOWER(name) = LOWER(?)",
        vec![name.clone().into()],
    )
    .await?
    .is_some()
    {
        return Err(AppError::conflict_field(
            "name",
            "a customer type with this name exists",
        ));
    }
    let row = query_one(
        &*txn,
        "INSERT INTO customer_types (name, number_mask, next_number) VALUES (?, ?, 1) RETURNING id",
        vec![name.clone().into(), mask.clone().into()],
    )
    .await?
    .ok_or_else(|| AppError::Internal(anyhow::anyhow!("insert returned no row")))?;
    let id = row.try_get("", "id")?;
    txn.commit().await?;
    Ok(CustomerType {
        id,
        name,
        number_mask: mask,
    })
}

/// Finds a type by name (case-insensitive).
pub async fn type_id_by_name<C: ConnectionTrait>(c: &C, name: &str) -> AppResult<Option<i64>> {
    let row = query_one(
        c,
        "SELECT id FROM customer_types WHERE LOWER(name) = LOWER(?)",
        vec![name.trim().to_owned().into()],
    )
    .await?;
    Ok(row.map(|r| r.try_get("", "id")).transpose()?)
}

pub async fn list_groups(db: &Db) -> AppResult<Vec<Group>> {
    let rows = query_all(
        &db.conn,
        "SELECT id, name FROM customer_groups ORDER BY name, id",
        vec![],
    )
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Group {
                id: r.try_get("", "id")?,
                name: r.try_get("", "name")?,
            })
        })
        .collect()
}

pub async fn create_group(db: &Db, input: NewGroup) -> AppResult<Group> {
    let mut v = Validator::new();
    let name = v
        .check("name", required_text(&input.name, "name"))
        .unwrap_or_default();
    v.finish()?;
    let txn = db.begin_write().await?;
    if find_group(&*txn, &name).await?.is_some() {
        return Err(AppError::conflict_field(
            "name",
            "a group with this name exists",
        ));
    }
    let id = insert_group(&*txn, &name).await?;
    txn.commit().await?;
    Ok(Group { id, name })
}

pub async fn find_group<C: ConnectionTrait>(c: &C, name: &str) -> AppResult<Option<i64>> {
    let row = query_one(
        c,
        "SELECT id FROM customer_groups WHERE LOWER(name) = LOWER(?)",
        vec![name.to_owned().into()],
    )
    .await?;
    Ok(row.map(|r| r.try_get("", "id")).transpose()?)
}

pub async fn insert_group<C: ConnectionTrait>(c: &C, name: &str) -> AppResult<i64> {
    let row = query_one(
        c,
        "INSERT INTO customer_groups (name) VALUES (?) RETURNING id",
        vec![name.to_owned().into()],
    )
    .await?
    .ok_or_else(|| AppError::Internal(anyhow::anyhow!("insert returned no row")))?;
    Ok(row.try_get("", "id")?)
}

/// Ids among `ids` that are not groups.
pub async fn missing_group_ids<C: ConnectionTrait>(c: &C, ids: &[i64]) -> AppResult<Vec<i64>> {
    let mut missing = Vec::new();
    for id in ids {
        if query_one(
            c,
            "SELECT id FROM customer_groups WHERE id = ?",
            vec![(*id).into()],
        )
        .await?
        .is_none()
        {
            missing.push(*id);
        }
    }
    Ok(missing)
}
