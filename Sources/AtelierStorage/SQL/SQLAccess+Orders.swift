import AtelierDomain
import Foundation

extension SQLAccess {
    static let orderColumns = """
        id, customer_id, status, status_since, material_code, finish_codes, catalog_item_id, model_hash, \
        model_filename, assignee_id, assignee_name, tracking_number, cancel_reason, created_at, updated_at, promised_by, \
        trace_context, channel, reference
        """
    static let orderPlaceholders = "(" + Array(repeating: "?", count: 19).joined(separator: ",") + ")"

    static func order(from row: SQLRow) throws -> Order {
        Order.restored(
            id: try row.string("id"), customerID: try row.string("customer_id"), status: try row.value(OrderStatus.self, "status"),
            statusSince: try row.date("status_since"), materialCode: try row.string("material_code"),
            finishCodes: try ColumnJSON.decodeCodes(try row.string("finish_codes")),
            catalogItemID: try row.optionalString("catalog_item_id"), modelHash: try row.optionalString("model_hash"),
            modelFilename: try row.optionalString("model_filename"), assigneeID: try row.optionalString("assignee_id"),
            assigneeName: try row.optionalString("assignee_name"), trackingNumber: try row.optionalString("tracking_number"),
            cancelReason: try row.optionalString("cancel_reason"),
            promisedBy: try row.optionalInt64("promised_by").map(Date.init(millis:)),
            traceContext: try row.optionalString("trace_context"), channel: try row.value(OrderChannel.self, "channel"),
            reference: try row.optionalString("reference"), createdAt: try row.date("created_at"),
            updatedAt: try row.date("updated_at"))
    }

    static func values(_ order: Order) throws -> [SQLValue] {
        let values: [any SQLBindable] = [
            order.id, order.customerID, order.status.rawValue, order.statusSince, order.materialCode,
            try ColumnJSON.encode(order.finishCodes), order.catalogItemID, order.modelHash, order.modelFilename,
            order.assigneeID, order.assigneeName, order.trackingNumber, order.cancelReason, order.createdAt, order.updatedAt,
            order.promisedBy, order.traceContext, order.channel.rawValue, order.reference,
        ]
        return values.map(\.sqlValue)
    }

    func order(id: String) async throws -> Order? {
        try await sql.first("SELECT \(Self.orderColumns) FROM orders WHERE id = ?\(lock)", id).map(Self.order(from:))
    }

    func order(trackingNumber: String) async throws -> Order? {
        try await sql.first("SELECT \(Self.orderColumns) FROM orders WHERE tracking_number = ?\(lock)", trackingNumber)
            .map(Self.order(from:))
    }

    func insert(order: Order) async throws {
        try await sql.execute(
            "INSERT INTO orders (\(Self.orderColumns)) VALUES \(Self.orderPlaceholders)", try Self.values(order))
        try await count(status: order.status, by: 1, orderID: order.id)
    }

    func update(order: Order, previousStatus: OrderStatus) async throws {
        let updated = try await sql.query(
            "UPDATE orders SET (\(Self.orderColumns)) = \(Self.orderPlaceholders) WHERE id = ? RETURNING id",
            try Self.values(order) + [.text(order.id)])
        guard updated.count == 1 else { throw StorageError.conflict("order \(order.id) does not exist") }
        if previousStatus != order.status {
            // One statement; rows in lifecycle order, so that concurrent transitions lock counter rows in one order.
            let shard = Int(Self.shard(of: order.id))
            let rows = [(previousStatus, -1), (order.status, 1)].sorted(by: { $0.0 < $1.0 })
            try await sql.execute(
                """
                INSERT INTO order_counts (status, shard, n) VALUES (?, ?, ?), (?, ?, ?)
                ON CONFLICT (status, shard) DO UPDATE SET n = order_counts.n + excluded.n
                """,
                rows[0].0.rawValue, shard, rows[0].1, rows[1].0.rawValue, shard, rows[1].1)
        }
    }

    func update(order: Order, previousStatus: OrderStatus, appending history: [HistoryEntry]) async throws {
        guard sql.dialect.writableCommonTables else {
            try await update(order: order, previousStatus: previousStatus)
            try await append(history: history)
            return
        }
        // The order's row, then (only if it was there: each part joins `updated`) its counter rows
        // and its history rows, in one statement.
        var parts = ["updated AS (UPDATE orders SET (\(Self.orderColumns)) = \(Self.orderPlaceholders) WHERE id = ? RETURNING id)"]
        var values = try Self.values(order) + [.text(order.id)]
        if previousStatus != order.status {
            let shard = Int(Self.shard(of: order.id))
            let rows = [(previousStatus, -1), (order.status, 1)].sorted(by: { $0.0 < $1.0 })
            parts.append(
                """
                counted AS (INSERT INTO order_counts (status, shard, n)
                  SELECT v.status, v.shard, v.n FROM (VALUES (CAST(? AS TEXT), CAST(? AS INTEGER), CAST(? AS BIGINT)), (?, ?, ?))
                    AS v (status, shard, n), updated
                  ON CONFLICT (status, shard) DO UPDATE SET n = order_counts.n + excluded.n)
                """)
            values += [.text(rows[0].0.rawValue), .integer(Int64(shard)), .integer(Int64(rows[0].1))]
            values += [.text(rows[1].0.rawValue), .integer(Int64(shard)), .integer(Int64(rows[1].1))]
        }
        if !history.isEmpty {
            let typed =
                "(CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS TEXT))"
            let rows = [typed] + Array(repeating: "(?,?,?,?,?,?,?,?)", count: history.count - 1)
            parts.append(
                """
                logged AS (INSERT INTO order_history (order_id, from_status, to_status, actor_id, actor_role, actor_name, at, note)
                  SELECT v.* FROM (VALUES \(rows.joined(separator: ", "))) AS v, updated)
                """)
            for entry in history {
                values += [
                    .text(entry.orderID), entry.from.map { .text($0.rawValue) } ?? .null, .text(entry.to.rawValue), .text(entry.actorID),
                    .text(entry.actorRole.rawValue), .text(entry.actorName), entry.at.sqlValue, entry.note.map { .text($0) } ?? .null,
                ]
            }
        }
        let updated = try await sql.query("WITH " + parts.joined(separator: ", ") + " SELECT id FROM updated", values)
        guard updated.count == 1 else { throw StorageError.conflict("order \(order.id) does not exist") }
    }

    private func count(status: OrderStatus, by delta: Int, orderID: String) async throws {
        try await sql.execute(
            """
            INSERT INTO order_counts (status, shard, n) VALUES (?, ?, ?)
            ON CONFLICT (status, shard) DO UPDATE SET n = order_counts.n + excluded.n
            """,
            status.rawValue, Int(Self.shard(of: orderID)), delta)
    }

    /// The counter row of an order (FNV-1a of its id): all its changes go to the same shard.
    static func shard(of orderID: String) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in orderID.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return hash % Migration004.shards
    }

    func statusCounts() async throws -> [OrderStatus: Int] {
        var counts = Dictionary(uniqueKeysWithValues: OrderStatus.allCases.map { ($0, 0) })
        for row in try await sql.query("SELECT status, CAST(SUM(n) AS BIGINT) AS n FROM order_counts GROUP BY status") {
            if let status = OrderStatus(rawValue: try row.string("status")) { counts[status] = try row.int("n") }
        }
        return counts
    }

    func append(history: [HistoryEntry]) async throws {
        for entry in history {
            try await sql.execute(
                "INSERT INTO order_history (order_id, from_status, to_status, actor_id, actor_role, actor_name, at, note) VALUES (?,?,?,?,?,?,?,?)",
                entry.orderID, entry.from?.rawValue, entry.to.rawValue, entry.actorID, entry.actorRole.rawValue, entry.actorName,
                entry.at, entry.note)
        }
    }

    /// One statement, so one snapshot on either engine and one round trip: the order's row (with its
    /// model's analysis and its quote) first, then its history, then its notes, told apart by `part`.
    /// Each part fills its own columns; the others are NULL (typed in the first part, so that
    /// PostgreSQL's union knows their types). The rows are put in order here, not by the statement:
    /// an `ORDER BY` over the union made SQLite sort each part in a temporary tree.
    static let orderSnapshotSQL: String = {
        let nulls = { (count: Int) in Array(repeating: "NULL", count: count).joined(separator: ", ") }
        let orderWidth = orderColumns.split(separator: ",").count + 3
        return """
            SELECT 0 AS part, 0 AS seq, \(orderColumns),
              (SELECT info FROM models WHERE models.hash = orders.model_hash) AS model_info,
              (SELECT body FROM quotes WHERE quotes.order_id = orders.id) AS quote_body,
              (SELECT body FROM order_deliveries WHERE order_deliveries.order_id = orders.id) AS delivery_body,
              CAST(NULL AS TEXT) AS h_from, CAST(NULL AS TEXT) AS h_to, CAST(NULL AS TEXT) AS h_actor_id,
              CAST(NULL AS TEXT) AS h_actor_role, CAST(NULL AS TEXT) AS h_actor_name, CAST(NULL AS BIGINT) AS h_at,
              CAST(NULL AS TEXT) AS h_note, CAST(NULL AS TEXT) AS n_author_id, CAST(NULL AS TEXT) AS n_author_name,
              CAST(NULL AS TEXT) AS n_kind, CAST(NULL AS TEXT) AS n_body, CAST(NULL AS BIGINT) AS n_created_at
            FROM orders WHERE id = ?
            UNION ALL
            SELECT 1, id, \(nulls(orderWidth)), from_status, to_status, actor_id, actor_role, actor_name, at, note, \(nulls(5))
            FROM order_history WHERE order_id = ?
            UNION ALL
            SELECT 2, id, \(nulls(orderWidth)), \(nulls(7)), author_id, author_name, kind, body, created_at
            FROM order_notes WHERE order_id = ? AND 1 = ?
            """
    }()

    func orderSnapshot(id: String, withNotes: Bool) async throws -> OrderSnapshot? {
        let rows = try await sql.query(Self.orderSnapshotSQL, id, id, id, withNotes ? 1 : 0)
            .map { (part: try $0.int("part"), seq: try $0.int64("seq"), row: $0) }
            .sorted { ($0.part, $0.seq) < ($1.part, $1.seq) }.map { $0.row }
        guard let first = rows.first, try first.int("part") == 0 else { return nil }
        let order = try Self.order(from: first)
        var model: ModelInfo?
        if let hash = order.modelHash, let text = try first.optionalString("model_info") {
            model = try DecodedCache.models.get(hash) ?? Self.modelInfo(hash: hash, text)
        }
        var snapshot = OrderSnapshot(
            order: order, model: model, quote: try first.optionalString("quote_body").map(DecodedCache.quotes.decoded),
            history: [], notes: [],
            delivery: try first.optionalString("delivery_body").map { try ColumnJSON.decode(DeliveryDetails.self, $0) })
        for row in rows.dropFirst() {
            if try row.int("part") == 1 {
                snapshot.history.append(
                    HistoryEntry(
                        orderID: id, from: try row.optionalValue(OrderStatus.self, "h_from"), to: try row.value(OrderStatus.self, "h_to"),
                        actor: Principal(
                            userID: try row.string("h_actor_id"), role: try row.value(Role.self, "h_actor_role"),
                            name: try row.string("h_actor_name")),
                        at: try row.date("h_at"), note: try row.optionalString("h_note")))
            } else {
                snapshot.notes.append(
                    try OrderNote(
                        orderID: id,
                        author: Principal(userID: try row.string("n_author_id"), role: .seller, name: try row.string("n_author_name")),
                        kind: try row.value(OrderNote.Kind.self, "n_kind"), body: try row.string("n_body"),
                        createdAt: try row.date("n_created_at")))
            }
        }
        return snapshot
    }

    func history(orderID: String) async throws -> [HistoryEntry] {
        try await sql.query("SELECT * FROM order_history WHERE order_id = ? ORDER BY id", orderID).map(Self.historyEntry(from:))
    }

    static func historyEntry(from row: SQLRow) throws -> HistoryEntry {
        HistoryEntry(
            orderID: try row.string("order_id"), from: try row.optionalValue(OrderStatus.self, "from_status"),
            to: try row.value(OrderStatus.self, "to_status"),
            actor: Principal(
                userID: try row.string("actor_id"), role: try row.value(Role.self, "actor_role"),
                name: try row.string("actor_name")),
            at: try row.date("at"), note: try row.optionalString("note"))
    }

    func holdings(customerID: String) async throws -> (openOrders: Int, modelBytes: Int64) {
        let open = try await sql.first(
            "SELECT COUNT(*) AS n FROM orders WHERE customer_id = ? AND status NOT IN ('CLOSED', 'CANCELLED')", customerID)
        let bytes = try await sql.first(
            """
            SELECT CAST(COALESCE(SUM(m.size_bytes), 0) AS BIGINT) AS n FROM models m
            WHERE m.hash IN (SELECT model_hash FROM orders WHERE customer_id = ? AND model_hash IS NOT NULL)
            """, customerID)
        return (try open?.int("n") ?? 0, try bytes?.int64("n") ?? 0)
    }

    func orders(_ filter: OrderFilter, page: PageRequest) async throws -> Page<Order> {
        let (whereClause, values) = Self.orderConditions(filter, page: page)
        let rows = try await sql.query(
            "SELECT \(Self.prefixedOrderColumns) FROM orders o \(whereClause) ORDER BY o.updated_at DESC, o.id DESC LIMIT \(page.limit + 1)",
            values)
        return Page.cut(try rows.map(Self.order(from:)), limit: page.limit) { Cursor(millis: $0.updatedAt.millis, id: $0.id) }
    }

    func orderSummaries(_ filter: OrderFilter, page: PageRequest) async throws -> Page<OrderSummary> {
        let (whereClause, values) = Self.orderConditions(filter, page: page)
        let rows = try await sql.query(
            """
            SELECT \(Self.prefixedOrderColumns), u.name AS customer_name, u.email AS customer_email,
              q.total_minor AS quote_total, q.currency AS quote_currency, q.castable AS castable
            FROM orders o LEFT JOIN users u ON u.id = o.customer_id LEFT JOIN quotes q ON q.order_id = o.id
            \(whereClause) ORDER BY o.updated_at DESC, o.id DESC LIMIT \(page.limit + 1)
            """, values)
        let summaries = try rows.map { row in
            let total = try row.optionalInt64("quote_total").map { Money(minorUnits: $0, currency: try row.string("quote_currency")) }
            return OrderSummary(
                order: try Self.order(from: row), customerName: try row.optionalString("customer_name"),
                customerEmail: try row.optionalString("customer_email"), total: total,
                castable: try row.optionalInt64("castable").map { $0 != 0 })
        }
        return Page.cut(summaries, limit: page.limit) { Cursor(millis: $0.order.updatedAt.millis, id: $0.order.id) }
    }

    static let prefixedOrderColumns = orderColumns.split(separator: ",").map { "o." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        .joined(separator: ", ")

    /// The WHERE clause of an order list (`o` is the orders table) and its values.
    static func orderConditions(_ filter: OrderFilter, page: PageRequest) -> (String, [SQLValue]) {
        var conditions: [String] = []
        var values: [SQLValue] = []
        if let status = filter.status {
            conditions.append("o.status = ?")
            values.append(.text(status.rawValue))
        }
        if let customerID = filter.customerID {
            conditions.append("o.customer_id = ?")
            values.append(.text(customerID))
        }
        if let updatedSince = filter.updatedSince {
            conditions.append("o.updated_at >= ?")
            values.append(.integer(updatedSince.millis))
        }
        if let assigneeID = filter.assigneeID {
            conditions.append("o.assignee_id = ?")
            values.append(.text(assigneeID))
        }
        if let search = filter.search?.trimmingCharacters(in: .whitespaces), !search.isEmpty {
            // An order id from its start, a tracking number whole; a customer's name or e-mail, a
            // file name or a partner's reference anywhere inside.
            let pattern = likeEscaped(search.lowercased())
            let inside = SQLValue.text("%" + pattern + "%")
            conditions.append(
                """
                (o.id LIKE ? ESCAPE '\\' OR o.tracking_number = ? OR lower(o.model_filename) LIKE ? ESCAPE '\\' \
                OR lower(o.reference) LIKE ? ESCAPE '\\' OR o.customer_id IN \
                (SELECT id FROM users WHERE lower(email) LIKE ? ESCAPE '\\' OR lower(name) LIKE ? ESCAPE '\\'))
                """)
            values += [.text(pattern + "%"), .text(search), inside, inside, inside, inside]
        }
        if let cursor = page.cursor {
            conditions.append("(o.updated_at, o.id) < (?, ?)")
            values += [.integer(cursor.millis), .text(cursor.id)]
        }
        return (conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "), values)
    }

    func stalledOrders(status: OrderStatus, enteredBefore: Date, limit: Int) async throws -> [Order] {
        try await sql.query(
            "SELECT \(Self.orderColumns) FROM orders WHERE status = ? AND status_since < ? ORDER BY status_since, id LIMIT ?",
            status.rawValue, enteredBefore, limit
        ).map(Self.order(from:))
    }

    func countOrdersPastPromise(at now: Date) async throws -> Int {
        try await sql.first(
            "SELECT count(*) AS n FROM orders WHERE promised_by < ? AND status NOT IN ('CLOSED', 'CANCELLED')", now
        )?.int("n") ?? 0
    }

    func insert(quote: Quote, orderID: String, at: Date) async throws {
        try await sql.execute(
            "INSERT INTO quotes (order_id, body, total_minor, labour_minor, currency, created_at, castable) VALUES (?,?,?,?,?,?,?)",
            orderID, try ColumnJSON.encode(quote), quote.total.minorUnits, quote.labour.minorUnits, quote.total.currency, at,
            quote.casting.map { $0.castable ? 1 : 0 })
    }

    func setDelivery(_ delivery: DeliveryDetails, orderID: String, at: Date) async throws {
        try await sql.execute(
            """
            INSERT INTO order_deliveries (order_id, body, created_at) VALUES (?, ?, ?)
            ON CONFLICT (order_id) DO UPDATE SET body = excluded.body
            """, orderID, try ColumnJSON.encode(delivery), at)
    }

    func setDelivery(_ delivery: DeliveryDetails, orderID: String, savingFor userID: String, at: Date) async throws {
        guard sql.dialect.writableCommonTables else {
            try await setDelivery(delivery, orderID: orderID, at: at)
            try await saveDelivery(delivery, userID: userID, at: at)
            return
        }
        let body = try ColumnJSON.encode(delivery)
        try await sql.execute(
            """
            WITH placed AS (
              INSERT INTO order_deliveries (order_id, body, created_at) VALUES (?, ?, ?)
              ON CONFLICT (order_id) DO UPDATE SET body = excluded.body)
            INSERT INTO saved_deliveries (user_id, fingerprint, body, used_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (user_id, fingerprint) DO UPDATE SET body = excluded.body, used_at = excluded.used_at
            """, orderID, body, at, userID, delivery.fingerprint, body, at)
    }

    func quote(orderID: String) async throws -> Quote? {
        try await sql.first("SELECT body FROM quotes WHERE order_id = ?", orderID)
            .map { try DecodedCache.quotes.decoded(try $0.string("body")) }
    }

    func cache(quote: Quote, key: String, at: Date) async throws {
        try await sql.execute(
            "INSERT INTO quote_cache (cache_key, body, created_at) VALUES (?,?,?) ON CONFLICT (cache_key) DO NOTHING",
            key, try ColumnJSON.encode(quote), at)
    }

    func cachedQuote(key: String) async throws -> Quote? {
        try await sql.first("SELECT body FROM quote_cache WHERE cache_key = ?", key)
            .map { try DecodedCache.quotes.decoded(try $0.string("body")) }
    }

    func insert(note: OrderNote) async throws {
        try await sql.execute(
            "INSERT INTO order_notes (order_id, author_id, author_name, kind, body, created_at) VALUES (?,?,?,?,?,?)",
            note.orderID, note.authorID, note.authorName, note.kind.rawValue, note.body, note.createdAt)
    }

    func notes(orderID: String) async throws -> [OrderNote] {
        try await sql.query("SELECT * FROM order_notes WHERE order_id = ? ORDER BY id", orderID).map(Self.note(from:))
    }

    static func note(from row: SQLRow) throws -> OrderNote {
        try OrderNote(
            orderID: try row.string("order_id"),
            author: Principal(userID: try row.string("author_id"), role: .seller, name: try row.string("author_name")),
            kind: try row.value(OrderNote.Kind.self, "kind"), body: try row.string("body"),
            createdAt: try row.date("created_at"))
    }

    func earnings(operatorID: String) async throws -> [EarningRow] {
        try await sql.query(
            """
            SELECT o.id, o.status, q.labour_minor, q.currency,
              (SELECT MIN(h.at) FROM order_history h WHERE h.order_id = o.id AND h.to_status = 'MANUFACTURING_STARTED') AS taken_at
            FROM orders o LEFT JOIN quotes q ON q.order_id = o.id
            WHERE o.assignee_id = ? ORDER BY taken_at DESC, o.id DESC
            """, operatorID
        ).map { row in
            let labour = try row.optionalInt64("labour_minor").map { Money(minorUnits: $0, currency: try row.string("currency")) }
            return EarningRow(
                orderID: try row.string("id"), status: try row.value(OrderStatus.self, "status"),
                labour: labour, takenAt: Date(millis: try row.optionalInt64("taken_at") ?? 0))
        }
    }

    func insert(idempotency record: IdempotencyRecord) async throws {
        try await sql.execute(
            "INSERT INTO idempotency_keys (scope, key, request_hash, result_id, created_at, response) VALUES (?,?,?,?,?,?)",
            record.scope, record.key, record.requestHash, record.resultID, record.createdAt, record.response)
    }

    func idempotency(scope: String, key: String) async throws -> IdempotencyRecord? {
        try await sql.first("SELECT * FROM idempotency_keys WHERE scope = ? AND key = ?", scope, key).map { row in
            IdempotencyRecord(
                scope: try row.string("scope"), key: try row.string("key"), requestHash: try row.string("request_hash"),
                resultID: try row.string("result_id"), createdAt: try row.date("created_at"), response: try row.optionalString("response"))
        }
    }
}
