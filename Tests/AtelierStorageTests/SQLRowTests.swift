import AtelierTestSupport
import Foundation
import Testing

@testable import AtelierStorage

/// Rows as the SQL adapters read them: by column name, the same on both engines.
@Suite("SQL rows")
struct SQLRowTests {
    @Test("a row reads each column by name, NULL as absent, and a wrong type as an error", arguments: Engine.allCases)
    func columnsByName(engine: Engine) async throws {
        let store = try await engine.makeStore()
        let row = try #require(
            try await Self.sql(store.reader).query(
                "SELECT CAST(7 AS BIGINT) AS n, 'seven' AS word, CAST(NULL AS TEXT) AS absent, CAST(1 AS BIGINT) AS n2", []
            ).first)

        #expect(try row.int("n") == 7)
        #expect(try row.string("word") == "seven")
        #expect(try row.optionalString("absent") == nil)
        #expect(try row.optionalInt64("absent") == nil)
        #expect(try row.optionalString("no_such_column") == nil)
        #expect(throws: SQLRowError.self) { try row.string("n") }
        #expect(throws: SQLRowError.self) { try row.int("word") }
        #expect(throws: SQLRowError.self) { try row.string("absent") }
        #expect(row.values == ["n": .integer(7), "word": .text("seven"), "absent": .null, "n2": .integer(1)])
    }

    @Test("rows of one result share its columns, and each row keeps its own values", arguments: Engine.allCases)
    func manyRows(engine: Engine) async throws {
        let store = try await engine.makeStore()
        try await store.write { tx in
            let sql = Self.sql(tx)
            try await sql.execute("CREATE TABLE row_test (a BIGINT, b TEXT)", [])
            for index in 0..<5 {
                try await sql.execute("INSERT INTO row_test (a, b) VALUES (?, ?)", [.integer(Int64(index)), .text("v\(index)")])
            }
        }
        let rows = try await Self.sql(store.reader).query("SELECT a, b FROM row_test ORDER BY a", [])

        #expect(try rows.map { try $0.int("a") } == [0, 1, 2, 3, 4])
        #expect(try rows.map { try $0.string("b") } == ["v0", "v1", "v2", "v3", "v4"])
    }

    @Test("a statement read again after a migration added a column sees the new column", arguments: Engine.allCases)
    func columnsAfterMigration(engine: Engine) async throws {
        let store = try await engine.makeStore()
        try await store.write { tx in
            try await Self.sql(tx).execute("CREATE TABLE grow_test (a BIGINT)", [])
            try await Self.sql(tx).execute("INSERT INTO grow_test (a) VALUES (1)", [])
        }
        let before = try #require(try await Self.sql(store.reader).query("SELECT * FROM grow_test", []).first)
        #expect(before.columns.names == ["a"])

        try await store.write { tx in
            try await Self.sql(tx).execute("ALTER TABLE grow_test ADD COLUMN b TEXT", [])
            try await Self.sql(tx).execute("UPDATE grow_test SET b = 'added'", [])
        }
        let after = try #require(try await Self.sql(store.reader).query("SELECT * FROM grow_test", []).first)

        #expect(after.columns.names == ["a", "b"])
        #expect(try after.string("b") == "added")
        #expect(try after.int("a") == 1)
    }

    private static func sql(_ reader: any StoreReader) -> any SQLExecutor {
        (reader as! SQLAccess).sql
    }
}
