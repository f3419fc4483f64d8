import AtelierDomain
import Foundation

extension SQLAccess {
    static func partner(from row: SQLRow) throws -> Partner {
        let limit = try row.optionalInt64("auto_approve_limit_minor").map {
            Money(minorUnits: $0, currency: try row.string("auto_approve_currency"))
        }
        return Partner(
            id: try row.string("id"), name: try row.string("name"), email: try row.string("email"),
            autoApproval: AutoApprovalPolicy(limit: limit), requestsPerMinute: try row.int("requests_per_minute"),
            burst: try row.int("burst"), createdAt: try row.date("created_at"))
    }

    static let partnerSelect = "SELECT p.*, u.email FROM partners p JOIN users u ON u.id = p.id"

    func partner(id: String) async throws -> Partner? {
        try await sql.first("\(Self.partnerSelect) WHERE p.id = ?", id).map(Self.partner(from:))
    }

    func partners() async throws -> [Partner] {
        try await sql.query("\(Self.partnerSelect) ORDER BY p.name, p.id").map(Self.partner(from:))
    }

    func insert(partner: Partner) async throws {
        try await sql.execute(
            """
            INSERT INTO partners (id, name, auto_approve_limit_minor, auto_approve_currency, requests_per_minute, burst, created_at)
            VALUES (?,?,?,?,?,?,?)
            """,
            partner.id, partner.name, partner.autoApproval.limit?.minorUnits, partner.autoApproval.limit?.currency,
            partner.requestsPerMinute, partner.burst, partner.createdAt)
    }

    func update(partner: Partner) async throws {
        try await sql.execute(
            """
            UPDATE partners SET name = ?, auto_approve_limit_minor = ?, auto_approve_currency = ?, requests_per_minute = ?, burst = ?
            WHERE id = ?
            """,
            partner.name, partner.autoApproval.limit?.minorUnits, partner.autoApproval.limit?.currency, partner.requestsPerMinute,
            partner.burst, partner.id)
    }

    static func partnerKey(from row: SQLRow) throws -> PartnerKey {
        var key = PartnerKey(
            id: try row.string("id"), partnerID: try row.string("partner_id"), prefix: try row.string("prefix"),
            keyHash: try row.string("key_hash"), createdAt: try row.date("created_at"))
        key.revokedAt = try row.optionalInt64("revoked_at").map(Date.init(millis:))
        return key
    }

    func partnerKey(hash: String) async throws -> (PartnerKey, Partner)? {
        guard let key = try await sql.first("SELECT * FROM partner_keys WHERE key_hash = ? AND revoked_at IS NULL", hash) else {
            return nil
        }
        let partnerKey = try Self.partnerKey(from: key)
        guard let partner = try await partner(id: partnerKey.partnerID) else { return nil }
        return (partnerKey, partner)
    }

    func partnerKeys(partnerID: String) async throws -> [PartnerKey] {
        try await sql.query("SELECT * FROM partner_keys WHERE partner_id = ? ORDER BY created_at, id", partnerID).map(
            Self.partnerKey(from:))
    }

    func insert(partnerKey key: PartnerKey) async throws {
        try await sql.execute(
            "INSERT INTO partner_keys (id, partner_id, prefix, key_hash, created_at) VALUES (?,?,?,?,?)", key.id, key.partnerID,
            key.prefix, key.keyHash, key.createdAt)
    }

    func revokePartnerKey(id: String, partnerID: String, at: Date) async throws -> Bool {
        try await !sql.query(
            "UPDATE partner_keys SET revoked_at = ? WHERE id = ? AND partner_id = ? AND revoked_at IS NULL RETURNING id", at, id, partnerID
        ).isEmpty
    }

    // MARK: Webhooks

    static func endpoint(from row: SQLRow) throws -> WebhookEndpoint {
        var endpoint = WebhookEndpoint(
            id: try row.string("id"), partnerID: try row.string("partner_id"), url: try row.string("url"),
            secret: try row.string("secret"), description: try row.optionalString("description"), createdAt: try row.date("created_at"))
        endpoint.disabledAt = try row.optionalInt64("disabled_at").map(Date.init(millis:))
        return endpoint
    }

    func webhookEndpoint(id: String) async throws -> WebhookEndpoint? {
        try await sql.first("SELECT * FROM webhook_endpoints WHERE id = ?", id).map(Self.endpoint(from:))
    }

    func webhookEndpoints(partnerID: String?, activeOnly: Bool) async throws -> [WebhookEndpoint] {
        var conditions: [String] = []
        var values: [SQLValue] = []
        if let partnerID {
            conditions.append("partner_id = ?")
            values.append(.text(partnerID))
        }
        if activeOnly { conditions.append("disabled_at IS NULL") }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try await sql.query("SELECT * FROM webhook_endpoints \(whereClause) ORDER BY created_at, id", values).map(
            Self.endpoint(from:))
    }

    func webhookHealth(partnerID: String?) async throws -> [WebhookEndpointHealth] {
        let filter = partnerID == nil ? "" : "WHERE e.partner_id = ?"
        let rows = try await sql.query(
            """
            SELECT e.*, p.name AS partner_name,
              (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.endpoint_id = e.id AND d.state = 'pending') AS pending,
              (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.endpoint_id = e.id AND d.state = 'failed') AS failed,
              (SELECT MAX(d.delivered_at) FROM webhook_deliveries d WHERE d.endpoint_id = e.id) AS last_success,
              (SELECT d.id FROM webhook_deliveries d
                 WHERE d.endpoint_id = e.id AND d.last_error IS NOT NULL ORDER BY d.updated_at DESC, d.id DESC LIMIT 1) AS last_failed_id
            FROM webhook_endpoints e JOIN partners p ON p.id = e.partner_id \(filter)
            ORDER BY p.name, e.created_at, e.id
            """, partnerID.map { [SQLValue.text($0)] } ?? [])
        var result: [WebhookEndpointHealth] = []
        for row in rows {
            var health = WebhookEndpointHealth(
                endpoint: try Self.endpoint(from: row), partnerName: try row.string("partner_name"), pending: try row.int("pending"),
                failed: try row.int("failed"), lastSuccessAt: try row.optionalInt64("last_success").map(Date.init(millis:)))
            if let failedID = try row.optionalInt64("last_failed_id"), let failure = try await webhookDelivery(id: failedID) {
                health.lastFailureAt = failure.updatedAt
                health.lastError = failure.lastError
            }
            result.append(health)
        }
        return result
    }

    func insert(webhookEndpoint endpoint: WebhookEndpoint) async throws {
        try await sql.execute(
            "INSERT INTO webhook_endpoints (id, partner_id, url, secret, description, created_at) VALUES (?,?,?,?,?,?)", endpoint.id,
            endpoint.partnerID, endpoint.url, endpoint.secret, endpoint.description, endpoint.createdAt)
    }

    func disableWebhookEndpoint(id: String, at: Date) async throws -> Bool {
        let disabled = try await sql.query(
            "UPDATE webhook_endpoints SET disabled_at = ? WHERE id = ? AND disabled_at IS NULL RETURNING id", at, id)
        guard !disabled.isEmpty else { return false }
        try await sql.execute(
            """
            UPDATE webhook_deliveries SET state = 'failed', last_error = 'the endpoint was disabled', updated_at = ?
            WHERE endpoint_id = ? AND state = 'pending'
            """, at, id)
        return true
    }

    func insert(webhookEvent event: WebhookEvent) async throws -> WebhookEvent {
        let row = try await sql.first(
            "INSERT INTO webhook_events (partner_id, order_id, type, data, created_at) VALUES (?,?,?,?,?) RETURNING id", event.partnerID,
            event.orderID, event.type, event.data, event.createdAt)
        var stored = event
        stored.id = try row?.int64("id") ?? 0
        return stored
    }

    func webhookEvent(id: Int64) async throws -> WebhookEvent? {
        try await sql.first("SELECT * FROM webhook_events WHERE id = ?", id).map { row in
            WebhookEvent(
                id: try row.int64("id"), partnerID: try row.string("partner_id"), orderID: try row.string("order_id"),
                type: try row.string("type"), data: try row.string("data"), createdAt: try row.date("created_at"))
        }
    }

    static func delivery(from row: SQLRow) throws -> WebhookDelivery {
        WebhookDelivery(
            id: try row.int64("id"), eventID: try row.int64("event_id"), endpointID: try row.string("endpoint_id"),
            partnerID: try row.string("partner_id"), orderID: try row.string("order_id"), eventType: try row.string("event_type"),
            state: try row.value(DeliveryState.self, "state"), attempts: try row.int("attempts"),
            lastStatusCode: try row.optionalInt64("last_status").map { Int($0) }, lastError: try row.optionalString("last_error"),
            createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"),
            deliveredAt: try row.optionalInt64("delivered_at").map(Date.init(millis:)), replayOf: try row.optionalInt64("replay_of"),
            jobID: try row.optionalInt64("job_id"))
    }

    func webhookDelivery(id: Int64) async throws -> WebhookDelivery? {
        try await sql.first("SELECT * FROM webhook_deliveries WHERE id = ?\(lock)", id).map(Self.delivery(from:))
    }

    func pendingPredecessor(of delivery: WebhookDelivery) async throws -> WebhookDelivery? {
        try await sql.first(
            """
            SELECT * FROM webhook_deliveries WHERE endpoint_id = ? AND order_id = ? AND event_id < ? AND state = 'pending'
            AND replay_of IS NULL ORDER BY event_id LIMIT 1
            """, delivery.endpointID, delivery.orderID, delivery.eventID
        ).map(Self.delivery(from:))
    }

    func webhookDeliveries(partnerID: String, state: DeliveryState?, orderID: String?, page: PageRequest) async throws -> Page<
        WebhookDelivery
    > {
        var conditions = ["partner_id = ?"]
        var values: [SQLValue] = [.text(partnerID)]
        if let state {
            conditions.append("state = ?")
            values.append(.text(state.rawValue))
        }
        if let orderID {
            conditions.append("order_id = ?")
            values.append(.text(orderID))
        }
        if let after = page.cursor.flatMap({ Int64($0.id) }) {
            conditions.append("id < ?")
            values.append(.integer(after))
        }
        let rows = try await sql.query(
            "SELECT * FROM webhook_deliveries WHERE \(conditions.joined(separator: " AND ")) ORDER BY id DESC LIMIT \(page.limit + 1)",
            values)
        return Page.cut(try rows.map(Self.delivery(from:)), limit: page.limit) { Cursor(millis: 0, id: String($0.id)) }
    }

    func insertDelivery(event: WebhookEvent, endpointID: String, replayOf: Int64?, at: Date) async throws -> Int64 {
        let row = try await sql.first(
            """
            INSERT INTO webhook_deliveries (event_id, endpoint_id, partner_id, order_id, event_type, state, attempts, created_at,
              updated_at, replay_of)
            VALUES (?,?,?,?,?,'pending',0,?,?,?) RETURNING id
            """, event.id, endpointID, event.partnerID, event.orderID, event.type, at, at, replayOf)
        return try row?.int64("id") ?? 0
    }

    func setDeliveryJob(deliveryID: Int64, jobID: Int64) async throws {
        try await sql.execute("UPDATE webhook_deliveries SET job_id = ? WHERE id = ?", jobID, deliveryID)
    }

    func record(_ attempt: DeliveryAttempt, deliveryID: Int64, at: Date) async throws {
        switch attempt {
        case let .delivered(status):
            try await sql.execute(
                """
                UPDATE webhook_deliveries SET state = 'delivered', attempts = attempts + 1, last_status = ?, delivered_at = ?, updated_at = ?
                WHERE id = ? AND state = 'pending'
                """, status, at, at, deliveryID)
        case let .failed(status, error), let .givenUp(status, error):
            let state: DeliveryState = if case .givenUp = attempt { .failed } else { .pending }
            try await sql.execute(
                """
                UPDATE webhook_deliveries SET state = ?, attempts = attempts + 1, last_status = ?, last_error = ?, updated_at = ?
                WHERE id = ? AND state = 'pending'
                """, state.rawValue, status, String(error.prefix(500)), at, deliveryID)
        }
    }
}
