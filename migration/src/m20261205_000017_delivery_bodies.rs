//! An activity's body is kept once, in `delivery_bodies`, rather than in each
//! of its deliveries: a post to 1,500 servers wrote its 2 KiB body 1,500
//! times, and every claim (which locks its rows) and every postponement of a
//! dead host's deliveries rewrote those rows whole on SQLite's one writer.
//! On PostgreSQL a foreign key keeps a body while any delivery needs it (the
//! sweep of unused bodies may race a new delivery of the same activity);
//! SQLite's writes are one at a time, so it needs none.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261205_000017_delivery_bodies"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("delivery_bodies")
                .col(string("activity_id").primary_key())
                .col(text("body"))
                .take(),
        )
        .await?;
        let db = m.get_connection();
        db.execute_unprepared(
            "INSERT INTO delivery_bodies (activity_id, body) \
             SELECT activity_id, MIN(body) FROM deliveries GROUP BY activity_id",
        )
        .await?;
        db.execute_unprepared("ALTER TABLE deliveries DROP COLUMN body")
            .await?;
        if m.get_database_backend() == DatabaseBackend::Postgres {
            db.execute_unprepared(
                "ALTER TABLE deliveries ADD CONSTRAINT deliveries_body_fk \
                 FOREIGN KEY (activity_id) REFERENCES delivery_bodies (activity_id)",
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if m.get_database_backend() == DatabaseBackend::Postgres {
            db.execute_unprepared("ALTER TABLE deliveries DROP CONSTRAINT deliveries_body_fk")
                .await?;
        }
        db.execute_unprepared("ALTER TABLE deliveries ADD COLUMN body TEXT NOT NULL DEFAULT ''")
            .await?;
        db.execute_unprepared(
            "UPDATE deliveries SET body = COALESCE((SELECT b.body FROM delivery_bodies b \
             WHERE b.activity_id = deliveries.activity_id), '')",
        )
        .await?;
        m.drop_table(Table::drop().table("delivery_bodies").take())
            .await
    }
}
