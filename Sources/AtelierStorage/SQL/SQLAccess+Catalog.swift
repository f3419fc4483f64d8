import AtelierDomain
import Foundation
import Synchronization

extension SQLAccess {
    func priceList() async throws -> PriceList {
        guard let row = try await sql.first("SELECT body FROM price_lists ORDER BY version DESC LIMIT 1") else {
            throw PriceListMissing()
        }
        return try ColumnJSON.decode(PriceList.self, try row.string("body"))
    }

    func save(priceList: PriceList) async throws {
        try await sql.execute(
            "INSERT INTO price_lists (version, currency, body, created_at) VALUES (?,?,?,?)", priceList.version, priceList.currency,
            try ColumnJSON.encode(priceList), Date())
    }

    func castingRules() async throws -> CastingRules {
        guard let row = try await sql.first("SELECT body FROM casting_rules ORDER BY version DESC LIMIT 1") else {
            return .standard
        }
        return try ColumnJSON.decode(CastingRules.self, try row.string("body"))
    }

    func save(castingRules: CastingRules) async throws {
        try await sql.execute(
            "INSERT INTO casting_rules (version, body, created_at) VALUES (?,?,?)", castingRules.version,
            try ColumnJSON.encode(castingRules), Date())
    }

    static func catalogItem(from row: SQLRow) throws -> CatalogItem {
        var item = CatalogItem(
            id: try row.string("id"), name: try row.string("name"), description: try row.string("description"),
            modelHash: try row.string("model_hash"), modelFilename: try row.string("model_filename"),
            defaultMaterial: try row.string("default_material"))
        item.ringInnerDiameterMM = try row.optionalInt64("ring_inner_diameter_um").map { Double($0) / 1000 }
        return item
    }

    func catalog() async throws -> [CatalogItem] {
        try await sql.query("SELECT * FROM catalog_items ORDER BY name").map(Self.catalogItem(from:))
    }

    func catalogItem(id: String) async throws -> CatalogItem? {
        try await sql.first("SELECT * FROM catalog_items WHERE id = ?", id).map(Self.catalogItem(from:))
    }

    func insert(catalogItem item: CatalogItem) async throws {
        try await sql.execute(
            """
            INSERT INTO catalog_items (id, name, description, model_hash, model_filename, default_material, ring_inner_diameter_um)
            VALUES (?,?,?,?,?,?,?)
            """,
            item.id, item.name, item.description, item.modelHash, item.modelFilename, item.defaultMaterial,
            item.ringInnerDiameterMM.map { Int64(($0 * 1000).rounded()) })
    }

    func model(hash: String) async throws -> ModelInfo? {
        // A model is named by its content's hash: what is stored under a hash never changes.
        if let known = DecodedCache.models.get(hash) { return known }
        return try await sql.first("SELECT info FROM models WHERE hash = ?", hash).map {
            try Self.modelInfo(hash: hash, try $0.string("info"))
        }
    }

    /// The stored analysis `text` of the model `hash`, decoded once and kept.
    static func modelInfo(hash: String, _ text: String) throws -> ModelInfo {
        let info = try ColumnJSON.decode(ModelInfo.self, text)
        DecodedCache.models.put(hash, info)
        return info
    }

    func modelBytes(hash: String) async throws -> [UInt8]? {
        try await sql.first("SELECT bytes FROM model_files WHERE hash = ?", hash).map { try $0.blob("bytes") }
    }

    func modelsKeptInDatabase(after: String?, limit: Int) async throws -> [String] {
        try await sql.query("SELECT hash FROM model_files WHERE hash > ? ORDER BY hash LIMIT ?", after ?? "", limit).map {
            try $0.string("hash")
        }
    }

    func referencedModelHashes() async throws -> Set<String> {
        let rows = try await sql.query(
            "SELECT model_hash FROM orders WHERE model_hash IS NOT NULL UNION SELECT model_hash FROM catalog_items")
        return Set(try rows.map { try $0.string("model_hash") })
    }

    func insert(model: ModelInfo, at: Date) async throws {
        try await sql.execute(
            """
            INSERT INTO models (hash, filename, format, size_bytes, info, created_at) VALUES (?,?,?,?,?,?)
            ON CONFLICT (hash) DO NOTHING
            """,
            model.hash, model.filename, model.format, model.sizeBytes, try ColumnJSON.encode(model), at)
    }

    func keepInDatabase(modelBytes bytes: [UInt8], hash: String) async throws {
        try await sql.execute("INSERT INTO model_files (hash, bytes) VALUES (?, ?) ON CONFLICT (hash) DO NOTHING", hash, bytes)
    }

    func removeDatabaseCopy(modelHash hash: String) async throws {
        try await sql.execute("DELETE FROM model_files WHERE hash = ?", hash)
    }
}

/// Values decoded from stored JSON, at most `capacity` of them, by a key that names what was
/// stored: a model's analysis by its content hash (read by every view of its orders, and never
/// changing), a quote by its stored text itself (the same text always decodes to the same quote).
final class DecodedCache<Value: Sendable>: Sendable {
    private let entries = Mutex<[String: Value]>([:])
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    func get(_ key: String) -> Value? { entries.withLock { $0[key] } }

    func put(_ key: String, _ value: Value) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = value
        }
    }
}

extension DecodedCache where Value == ModelInfo {
    static let models = DecodedCache(capacity: 4096)
}

extension DecodedCache where Value == Quote {
    static let quotes = DecodedCache(capacity: 4096)

    /// The quote stored as `text`, decoded once.
    func decoded(_ text: String) throws -> Quote {
        if let known = get(text) { return known }
        let quote = try ColumnJSON.decode(Quote.self, text)
        put(text, quote)
        return quote
    }
}
