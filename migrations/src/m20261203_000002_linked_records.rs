use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Jobs, websites, invoices, tickets, files and notes. A linked record's `customer_id` is
/// nullable and `ON DELETE SET NULL`, so deleting a customer unlinks by default; the "delete
/// them too" choice deletes them explicitly in the same transaction. A note has one nullable
/// foreign key per kind of owner (exactly one set, checked) so the database itself, not the
/// code, guarantees that no note outlives what it is written on.
const TABLES: &str = r#"
CREATE TABLE jobs (
    id {pk},
    customer_id BIGINT REFERENCES customers (id) ON DELETE SET NULL,
    name TEXT NOT NULL CHECK (name <> ''),
    status TEXT NOT NULL CHECK (status IN ('new', 'in_progress', 'on_hold', 'completed', 'cancelled')),
    start_date {date},
    due_date {date},
    completed_date {date},
    description TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
);
CREATE INDEX jobs_customer_idx ON jobs (customer_id, id);
CREATE INDEX jobs_status_idx ON jobs (status, id);

CREATE TABLE websites (
    id {pk},
    customer_id BIGINT REFERENCES customers (id) ON DELETE SET NULL,
    name TEXT NOT NULL CHECK (name <> ''),
    url TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('new', 'live', 'offline')),
    description TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
);
CREATE INDEX websites_customer_idx ON websites (customer_id, id);

CREATE TABLE invoice_sequences (
    prefix TEXT PRIMARY KEY,
    next_value BIGINT NOT NULL
);

CREATE TABLE invoices (
    id {pk},
    customer_id BIGINT REFERENCES customers (id) ON DELETE SET NULL,
    number TEXT NOT NULL CHECK (number <> ''),
    currency TEXT NOT NULL,
    issue_date {date} NOT NULL,
    due_date {date} NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'sent', 'paid', 'cancelled')),
    paid_date {date},
    total BIGINT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    CHECK (due_date >= issue_date),
    CHECK ((status = 'paid') = (paid_date IS NOT NULL))
);
CREATE UNIQUE INDEX invoices_number_key ON invoices (number);
-- The customer status reads exactly this: a customer's invoices by status and due date.
CREATE INDEX invoices_customer_status_idx ON invoices (customer_id, status, due_date);
CREATE INDEX invoices_issue_date_idx ON invoices (issue_date, id);

CREATE TABLE invoice_items (
    id {pk},
    invoice_id BIGINT NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    description TEXT NOT NULL,
    quantity_e3 BIGINT NOT NULL,
    unit_price BIGINT NOT NULL,
    amount BIGINT NOT NULL
);
CREATE INDEX invoice_items_invoice_idx ON invoice_items (invoice_id, position);

CREATE TABLE tickets (
    id {pk},
    customer_id BIGINT REFERENCES customers (id) ON DELETE SET NULL,
    contact_id BIGINT REFERENCES contacts (id) ON DELETE SET NULL,
    subject TEXT NOT NULL CHECK (subject <> ''),
    status TEXT NOT NULL CHECK (status IN ('new', 'open', 'pending', 'resolved', 'closed')),
    priority TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    description TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
);
CREATE INDEX tickets_customer_idx ON tickets (customer_id, id);
CREATE INDEX tickets_contact_idx ON tickets (contact_id);

CREATE TABLE files (
    id {pk},
    customer_id BIGINT REFERENCES customers (id) ON DELETE SET NULL,
    job_id BIGINT REFERENCES jobs (id) ON DELETE SET NULL,
    name TEXT NOT NULL CHECK (name <> ''),
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL CHECK (size > 0),
    sha256 TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at {ts} NOT NULL
);
CREATE INDEX files_customer_idx ON files (customer_id, id);
CREATE INDEX files_job_idx ON files (job_id);

CREATE TABLE notes (
    id {pk},
    customer_id BIGINT REFERENCES customers (id) ON DELETE CASCADE,
    contact_id BIGINT REFERENCES contacts (id) ON DELETE CASCADE,
    job_id BIGINT REFERENCES jobs (id) ON DELETE CASCADE,
    website_id BIGINT REFERENCES websites (id) ON DELETE CASCADE,
    invoice_id BIGINT REFERENCES invoices (id) ON DELETE CASCADE,
    ticket_id BIGINT REFERENCES tickets (id) ON DELETE CASCADE,
    body TEXT NOT NULL CHECK (body <> ''),
    note_at {ts} NOT NULL,
    reminder BOOLEAN NOT NULL DEFAULT {false},
    reminder_user_id BIGINT REFERENCES users (id),
    reminder_done BOOLEAN NOT NULL DEFAULT {false},
    public BOOLEAN NOT NULL DEFAULT {false},
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    CHECK ((CASE WHEN customer_id IS NULL THEN 0 ELSE 1 END)
         + (CASE WHEN contact_id IS NULL THEN 0 ELSE 1 END)
         + (CASE WHEN job_id IS NULL THEN 0 ELSE 1 END)
         + (CASE WHEN website_id IS NULL THEN 0 ELSE 1 END)
         + (CASE WHEN invoice_id IS NULL THEN 0 ELSE 1 END)
         + (CASE WHEN ticket_id IS NULL THEN 0 ELSE 1 END) = 1),
    CHECK (reminder OR reminder_user_id IS NULL)
);
CREATE INDEX notes_customer_idx ON notes (customer_id, note_at);
CREATE INDEX notes_contact_idx ON notes (contact_id, note_at);
CREATE INDEX notes_job_idx ON notes (job_id, note_at);
CREATE INDEX notes_website_idx ON notes (website_id, note_at);
CREATE INDEX notes_invoice_idx ON notes (invoice_id, note_at);
CREATE INDEX notes_ticket_idx ON notes (ticket_id, note_at);
CREATE INDEX notes_reminder_idx ON notes (reminder, reminder_done, note_at);
"#;

fn sql_for(backend: DbBackend) -> String {
    let (pk, ts, date, false_) = match backend {
        DbBackend::Postgres => (
            "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
            "TIMESTAMPTZ",
            "DATE",
            "FALSE",
        ),
        _ => ("INTEGER PRIMARY KEY AUTOINCREMENT", "TEXT", "TEXT", "0"),
    };
    TABLES
        .replace("{pk}", pk)
        .replace("{ts}", ts)
        .replace("{date}", date)
        .replace("{false}", false_)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        manager
            .get_connection()
            .execute_unprepared(&sql_for(backend))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "DROP TABLE IF EXISTS notes; DROP TABLE IF EXISTS files; DROP TABLE IF EXISTS tickets; \
                 DROP TABLE IF EXISTS invoice_items; DROP TABLE IF EXISTS invoices; \
                 DROP TABLE IF EXISTS invoice_sequences; DROP TABLE IF EXISTS websites; \
                 DROP TABLE IF EXISTS jobs;",
            )
            .await?;
        Ok(())
    }
}
