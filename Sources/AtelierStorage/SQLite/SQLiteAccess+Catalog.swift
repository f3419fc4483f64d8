import AtelierDomain
import Foundation
import GRDB

extension SQLiteAccess {
    func priceList() async throws -> PriceList {
        try await run { db in
            guard let body = try String.fetchOne(db, sql: "SELECT body FROM price_lists ORDER BY version DESC LIMIT 1") else {
                throw StorageError.unavailable("no price list has been loaded; run `atelier demo` or set prices as an admin")
            }
            return try ColumnJSON.decode(PriceList.self, body)
        }
    }

    func save(priceList: PriceList) async throws {
        let body = try ColumnJSON.encode(priceList)
        try await run { db in
            try db.execute(
                sql: "INSERT INTO price_lists (version, currency, body, created_at) VALUES (?,?,?,?)",
                arguments: [priceList.version, priceList.currency, body, Date().millis])
        }
    }

    static func catalogItem(from row: Row) -> CatalogItem {
        CatalogItem(
            id: row["id"], name: row["name"], description: row["description"], modelHash: row["model_hash"],
            modelFilename: row["model_filename"], defaultMaterial: row["default_material"])
    }

    func catalog() async throws -> [CatalogItem] {
        try await run { db in try Row.fetchAll(db, sql: "SELECT * FROM catalog_items ORDER BY name").map(Self.catalogItem(from:)) }
    }

    func catalogItem(id: String) async throws -> CatalogItem? {
        try await run { db in
            try Row.fetchOne(db, sql: "SELECT * FROM catalog_items WHERE id = ?", arguments: [id]).map(Self.catalogItem(from:))
        }
    }

    func insert(catalogItem item: CatalogItem) async throws {
        try await run { db in
            try db.execute(
                sql: "INSERT INTO catalog_items (id, name, description, model_hash, model_filename, default_material) VALUES (?,?,?,?,?,?)",
                arguments: [item.id, item.name, item.description, item.modelHash, item.modelFilename, item.defaultMaterial])
        }
    }

    func model(hash: String) async throws -> ModelInfo? {
        try await run { db in
            try String.fetchOne(db, sql: "SELECT info FROM models WHERE hash = ?", arguments: [hash])
                .map { try ColumnJSON.decode(ModelInfo.self, $0) }
        }
    }

    func modelBytes(hash: String) async throws -> [UInt8]? {
        try await run { db in
            try Data.fetchOne(db, sql: "SELECT bytes FROM model_files WHERE hash = ?", arguments: [hash]).map { [UInt8]($0) }
        }
    }

    func insert(model: ModelInfo, bytes: [UInt8], at: Date) async throws {
        let info = try ColumnJSON.encode(model)
        try await run { db in
            try db.execute(
                sql: """
                    INSERT INTO models (hash, filename, format, size_bytes, info, created_at) VALUES (?,?,?,?,?,?)
                    ON CONFLICT(hash) DO NOTHING
                    """,
                arguments: [model.hash, model.filename, model.format, model.sizeBytes, info, at.millis])
            if db.changesCount == 1 {
                try db.execute(sql: "INSERT INTO model_files (hash, bytes) VALUES (?, ?)", arguments: [model.hash, Data(bytes)])
            }
        }
    }
}
