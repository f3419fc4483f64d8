/// Statements outside the ports, for the benchmarks (`atelier bench`) alone: they fill databases
/// with synthetic orders and ask for query plans that the application never runs. Only a module
/// that imports Storage with `@_spi(Benchmarks)` sees it; the application's modules do not.
@_spi(Benchmarks)
public struct RawSQL: Sendable {
    let sql: any SQLExecutor

    /// The raw access of one of Atelier's SQL stores (its reader or an open transaction).
    public init(_ reader: any StoreReader) throws {
        guard let access = reader as? SQLAccess else { throw StorageError.failed("the benchmark needs one of Atelier's SQL stores") }
        sql = access.sql
    }

    /// True on PostgreSQL, false on SQLite.
    public var isPostgres: Bool { sql.dialect.numberedPlaceholders }

    /// The columns of an order row, in the order the storage reads them.
    public static var orderColumns: String { SQLAccess.orderColumns }

    public func execute(_ statement: String, _ values: [SQLValue] = []) async throws {
        try await sql.execute(statement, values)
    }

    /// The rows of `statement`, each a column → value map.
    public func query(_ statement: String, _ values: [SQLValue] = []) async throws -> [[String: SQLValue]] {
        try await sql.query(statement, values).map(\.values)
    }
}
