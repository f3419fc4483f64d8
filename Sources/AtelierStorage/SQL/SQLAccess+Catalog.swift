import AtelierDomain
import Foundation
import Synchronization

extension SQLAccess {
    func priceList() async throws -> PriceList {
        guard let row = try await sql.first("SELECT body FROM price_lists ORDER BY version DESC LIMIT 1") else {
            throw StorageError.unavailable("no price list has been loaded; run `atelier demo` or set prices as an admin")
        }
        return try ColumnJSON.decode(PriceList.self, try row.string("body"))
    }

    func save(priceList: PriceList) async throws {
        try await sql.execute(
            "INSERT INTO price_lists (version, currency, body, created_at) VALUES (?,?,?,?)", priceList.version, priceList.currency,
            try ColumnJSON.encode(priceList), Date())
    }

    static func catalogItem(from row: SQLRow) throws -> CatalogItem {
        CatalogItem(
            id: try row.string("id"), name: try row.string("name"), description: try row.string("description"),
            modelHash: try row.string("model_hash"), modelFilename: try row.string("model_filename"),
            defaultMaterial: try row.string("default_material"))
    }

    func catalog() async throws -> [CatalogItem] {
        try await sql.query("SELECT * FROM catalog_items ORDER BY name").map(Self.catalogItem(from:))
    }

    func catalogItem(id: String) async throws -> CatalogItem? {
        try await sql.first("SELECT * FROM catalog_items WHERE id = ?", id).map(Self.catalogItem(from:))
    }

    func insert(catalogItem item: CatalogItem) async throws {
        try await sql.execute(
            "INSERT INTO catalog_items (id, name, description, model_hash, model_filename, default_material) VALUES (?,?,?,?,?,?)",
            item.id, item.name, item.description, item.modelHash, item.modelFilename, item.defaultMaterial)
    }

    func model(hash: String) async throws -> ModelInfo? {
        // A model is named by its content's hash: what is stored under a hash never changes.
        if let known = ModelInfoCache.shared.get(hash) { return known }
        return try await sql.first("SELECT info FROM models WHERE hash = ?", hash).map {
            try Self.modelInfo(hash: hash, try $0.string("info"))
        }
    }

    /// The stored analysis `text` of the model `hash`, decoded once and kept.
    static func modelInfo(hash: String, _ text: String) throws -> ModelInfo {
        let info = try ColumnJSON.decode(ModelInfo.self, text)
        ModelInfoCache.shared.put(hash, info)
        return info
    }

    func modelBytes(hash: String) async throws -> [UInt8]? {
        try await sql.first("SELECT bytes FROM model_files WHERE hash = ?", hash).map { try $0.blob("bytes") }
    }

    func insert(model: ModelInfo, bytes: [UInt8], at: Date) async throws {
        let inserted = try await sql.query(
            """
            INSERT INTO models (hash, filename, format, size_bytes, info, created_at) VALUES (?,?,?,?,?,?)
            ON CONFLICT (hash) DO NOTHING RETURNING hash
            """,
            model.hash, model.filename, model.format, model.sizeBytes, try ColumnJSON.encode(model), at)
        if !inserted.isEmpty {
            try await sql.execute("INSERT INTO model_files (hash, bytes) VALUES (?, ?)", model.hash, bytes)
        }
    }
}

/// Decoded model analyses by content hash, at most `capacity` of them (a model's analysis is read by
/// every view of its orders, and never changes).
final class ModelInfoCache: Sendable {
    static let shared = ModelInfoCache(capacity: 4096)
    private let entries = Mutex<[String: ModelInfo]>([:])
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    func get(_ hash: String) -> ModelInfo? { entries.withLock { $0[hash] } }

    func put(_ hash: String, _ info: ModelInfo) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[hash] = info
        }
    }
}
