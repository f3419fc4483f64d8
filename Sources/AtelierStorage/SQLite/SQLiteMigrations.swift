import GRDB

/// The schema, one numbered migration per step, forward-only.
enum SQLiteMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("001-orders-and-queue") { db in
            try db.execute(sql: Migration001.sql)
        }
        return migrator
    }
}
