import AtelierDomain
import Foundation
import GRDB

extension SQLiteAccess {
    static let orderColumns = """
        id, customer_id, status, status_since, material_code, finish_codes, catalog_item_id, model_hash,
        model_filename, assignee_id, assignee_name, tracking_number, cancel_reason, created_at, updated_at
        """

    static func order(from row: Row) throws -> Order {
        var order = Order(
            id: row["id"], customerID: row["customer_id"], materialCode: row["material_code"],
            finishCodes: try ColumnJSON.decode([String].self, row["finish_codes"]),
            catalogItemID: row["catalog_item_id"], createdAt: Date(millis: row["created_at"]))
        order.status = OrderStatus(rawValue: row["status"]) ?? .initiated
        order.statusSince = Date(millis: row["status_since"])
        order.modelHash = row["model_hash"]
        order.modelFilename = row["model_filename"]
        order.assigneeID = row["assignee_id"]
        order.assigneeName = row["assignee_name"]
        order.trackingNumber = row["tracking_number"]
        order.cancelReason = row["cancel_reason"]
        order.updatedAt = Date(millis: row["updated_at"])
        return order
    }

    static func arguments(_ order: Order) throws -> StatementArguments {
        [
            order.id, order.customerID, order.status.rawValue, order.statusSince.millis, order.materialCode,
            try ColumnJSON.encode(order.finishCodes), order.catalogItemID, order.modelHash, order.modelFilename,
            order.assigneeID, order.assigneeName, order.trackingNumber, order.cancelReason,
            order.createdAt.millis, order.updatedAt.millis,
        ]
    }

    func order(id: String) async throws -> Order? {
        try await run { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.orderColumns) FROM orders WHERE id = ?", arguments: [id])
                .map(Self.order(from:))
        }
    }

    func order(trackingNumber: String) async throws -> Order? {
        try await run { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.orderColumns) FROM orders WHERE tracking_number = ?", arguments: [trackingNumber])
                .map(Self.order(from:))
        }
    }

    func insert(order: Order) async throws {
        let arguments = try Self.arguments(order)
        try await run { db in
            try db.execute(sql: "INSERT INTO orders (\(Self.orderColumns)) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", arguments: arguments)
            try Self.count(db, status: order.status, by: 1)
        }
    }

    func update(order: Order, previousStatus: OrderStatus) async throws {
        let arguments = try Self.arguments(order)
        try await run { db in
            try db.execute(
                sql: """
                    UPDATE orders SET (\(Self.orderColumns)) = (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) WHERE id = ?
                    """, arguments: arguments + [order.id])
            guard db.changesCount == 1 else { throw StorageError.conflict("order \(order.id) does not exist") }
            if previousStatus != order.status {
                try Self.count(db, status: previousStatus, by: -1)
                try Self.count(db, status: order.status, by: 1)
            }
        }
    }

    private static func count(_ db: Database, status: OrderStatus, by delta: Int) throws {
        try db.execute(
            sql: "INSERT INTO status_counts (status, n) VALUES (?, ?) ON CONFLICT(status) DO UPDATE SET n = n + excluded.n",
            arguments: [status.rawValue, delta])
    }

    func statusCounts() async throws -> [OrderStatus: Int] {
        try await run { db in
            var counts = Dictionary(uniqueKeysWithValues: OrderStatus.allCases.map { ($0, 0) })
            for row in try Row.fetchAll(db, sql: "SELECT status, n FROM status_counts") {
                if let status = OrderStatus(rawValue: row["status"]) { counts[status] = row["n"] }
            }
            return counts
        }
    }

    func append(history: [HistoryEntry]) async throws {
        try await run { db in
            for entry in history {
                try db.execute(
                    sql: """
                        INSERT INTO order_history (order_id, from_status, to_status, actor_id, actor_role, actor_name, at, note)
                        VALUES (?,?,?,?,?,?,?,?)
                        """,
                    arguments: [
                        entry.orderID, entry.from?.rawValue, entry.to.rawValue, entry.actorID, entry.actorRole.rawValue,
                        entry.actorName, entry.at.millis, entry.note,
                    ])
            }
        }
    }

    func history(orderID: String) async throws -> [HistoryEntry] {
        try await run { db in
            try Row.fetchAll(db, sql: "SELECT * FROM order_history WHERE order_id = ? ORDER BY id", arguments: [orderID]).map { row in
                HistoryEntry(
                    orderID: row["order_id"], from: (row["from_status"] as String?).flatMap(OrderStatus.init(rawValue:)),
                    to: OrderStatus(rawValue: row["to_status"]) ?? .initiated,
                    actor: Principal(userID: row["actor_id"], role: Role(rawValue: row["actor_role"]) ?? .system, name: row["actor_name"]),
                    at: Date(millis: row["at"]), note: row["note"])
            }
        }
    }

    func orders(_ filter: OrderFilter, page: PageRequest) async throws -> Page<Order> {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let status = filter.status {
            conditions.append("o.status = ?")
            arguments += [status.rawValue]
        }
        if let customerID = filter.customerID {
            conditions.append("o.customer_id = ?")
            arguments += [customerID]
        }
        if let assigneeID = filter.assigneeID {
            conditions.append("o.assignee_id = ?")
            arguments += [assigneeID]
        }
        if let search = filter.search?.trimmingCharacters(in: .whitespaces), !search.isEmpty {
            let escaped = search.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                .replacingOccurrences(of: "_", with: "\\_")
            conditions.append(
                """
                (o.id LIKE ? ESCAPE '\\' OR o.tracking_number = ? OR o.customer_id IN
                  (SELECT id FROM users WHERE email LIKE ? ESCAPE '\\' OR name LIKE ? ESCAPE '\\'))
                """)
            arguments += [escaped + "%", search, "%" + escaped + "%", "%" + escaped + "%"]
        }
        if let cursor = page.cursor {
            conditions.append("(o.updated_at, o.id) < (?, ?)")
            arguments += [cursor.millis, cursor.id]
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let limit = page.limit
        let columns = Self.orderColumns.split(separator: ",").map { "o." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(
            separator: ", ")
        let sql = "SELECT \(columns) FROM orders o \(whereClause) ORDER BY o.updated_at DESC, o.id DESC LIMIT \(limit + 1)"
        let finalArguments = arguments
        return try await run { db in
            let orders = try Row.fetchAll(db, sql: sql, arguments: finalArguments).map(Self.order(from:))
            return Page.cut(orders, limit: limit) { Cursor(millis: $0.updatedAt.millis, id: $0.id) }
        }
    }

    func insert(quote: Quote, orderID: String, at: Date) async throws {
        let body = try ColumnJSON.encode(quote)
        try await run { db in
            try db.execute(
                sql: "INSERT INTO quotes (order_id, body, total_minor, labour_minor, currency, created_at) VALUES (?,?,?,?,?,?)",
                arguments: [orderID, body, quote.total.minorUnits, quote.labour.minorUnits, quote.total.currency, at.millis])
        }
    }

    func quote(orderID: String) async throws -> Quote? {
        try await run { db in
            try String.fetchOne(db, sql: "SELECT body FROM quotes WHERE order_id = ?", arguments: [orderID])
                .map { try ColumnJSON.decode(Quote.self, $0) }
        }
    }

    func cache(quote: Quote, key: String, at: Date) async throws {
        let body = try ColumnJSON.encode(quote)
        try await run { db in
            try db.execute(
                sql: "INSERT INTO quote_cache (cache_key, body, created_at) VALUES (?,?,?) ON CONFLICT(cache_key) DO NOTHING",
                arguments: [key, body, at.millis])
        }
    }

    func cachedQuote(key: String) async throws -> Quote? {
        try await run { db in
            try String.fetchOne(db, sql: "SELECT body FROM quote_cache WHERE cache_key = ?", arguments: [key])
                .map { try ColumnJSON.decode(Quote.self, $0) }
        }
    }

    func insert(note: OrderNote) async throws {
        try await run { db in
            try db.execute(
                sql: "INSERT INTO order_notes (order_id, author_id, author_name, kind, body, created_at) VALUES (?,?,?,?,?,?)",
                arguments: [note.orderID, note.authorID, note.authorName, note.kind.rawValue, note.body, note.createdAt.millis])
        }
    }

    func notes(orderID: String) async throws -> [OrderNote] {
        try await run { db in
            try Row.fetchAll(db, sql: "SELECT * FROM order_notes WHERE order_id = ? ORDER BY id", arguments: [orderID]).map { row in
                try OrderNote(
                    orderID: row["order_id"],
                    author: Principal(userID: row["author_id"], role: .seller, name: row["author_name"]),
                    kind: OrderNote.Kind(rawValue: row["kind"]) ?? .note, body: row["body"],
                    createdAt: Date(millis: row["created_at"]))
            }
        }
    }

    func earnings(operatorID: String) async throws -> [EarningRow] {
        try await run { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT o.id, o.status, q.labour_minor, q.currency,
                      (SELECT MIN(h.at) FROM order_history h WHERE h.order_id = o.id AND h.to_status = 'MANUFACTURING_STARTED') AS taken_at
                    FROM orders o LEFT JOIN quotes q ON q.order_id = o.id
                    WHERE o.assignee_id = ? ORDER BY taken_at DESC, o.id DESC
                    """, arguments: [operatorID]
            ).map { row in
                let labour: Money? = (row["labour_minor"] as Int64?).map { Money(minorUnits: $0, currency: row["currency"]) }
                return EarningRow(
                    orderID: row["id"], status: OrderStatus(rawValue: row["status"]) ?? .manufacturingStarted,
                    labour: labour, takenAt: Date(millis: row["taken_at"] ?? 0))
            }
        }
    }

    func insert(idempotency record: IdempotencyRecord) async throws {
        try await run { db in
            try db.execute(
                sql: "INSERT INTO idempotency_keys (scope, key, request_hash, result_id, created_at) VALUES (?,?,?,?,?)",
                arguments: [record.scope, record.key, record.requestHash, record.resultID, record.createdAt.millis])
        }
    }

    func idempotency(scope: String, key: String) async throws -> IdempotencyRecord? {
        try await run { db in
            try Row.fetchOne(db, sql: "SELECT * FROM idempotency_keys WHERE scope = ? AND key = ?", arguments: [scope, key]).map { row in
                IdempotencyRecord(
                    scope: row["scope"], key: row["key"], requestHash: row["request_hash"], resultID: row["result_id"],
                    createdAt: Date(millis: row["created_at"]))
            }
        }
    }
}
