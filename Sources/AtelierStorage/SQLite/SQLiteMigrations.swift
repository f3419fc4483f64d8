import GRDB

/// The schema on SQLite, through GRDB's migrator (it records what ran in `grdb_migrations`).
enum SQLiteMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in Schema.migrations {
            migrator.registerMigration(migration.version) { db in
                try db.execute(sql: Schema.render(migration.sql, for: .sqlite))
            }
        }
        return migrator
    }
}
