import Foundation

// The answers of Atelier's APIs as a client reads them, for the tests to decode with
// `Reply.decode`: only the fields the tests look at, in the API's own names and types (statuses
// and roles as the strings the API sends), so a test fails when the API changes under it.

package struct MoneyView: Decodable, Equatable, Sendable {
    package var minorUnits: Int64
    package var currency: String
}

package struct OrderView: Decodable, Sendable {
    package var id: String
    package var status: String
    package var statusSince: Date
    package var material: String
    package var finishes: [String]
    package var catalogItem: String?
    package var modelFilename: String?
    package var assignee: String?
    package var trackingNumber: String?
    package var cancelReason: String?
    package var promisedBy: Date?
    package var channel: String
    package var reference: String?
}

package struct ModelView: Decodable, Sendable {
    package var hash: String
    package var filename: String
    package var format: String
    package var triangles: Int
    package var volumeMM3: Double
    package var watertight: Bool
}

package struct QuoteView: Decodable, Sendable {
    package struct Line: Decodable, Sendable {
        package var code: String
        package var label: String
        package var amount: MoneyView
    }
    package var lines: [Line]
    package var total: MoneyView
    /// The labour rule that made it (staff's answers).
    package var pricingRules: Int?
    /// Whether it can be cast, as the pricing job found.
    package var casting: CastingView?

    package func amount(_ code: String) -> MoneyView? { lines.first { $0.code == code }?.amount }
}

package struct HistoryView: Decodable, Sendable {
    package var from: String?
    package var to: String
    package var actorRole: String
    package var actorName: String
    package var note: String?
}

package struct NoteView: Decodable, Sendable {
    package var kind: String
    package var body: String
    package var authorName: String
}

/// An order's page: `GET /api/{shop,crm,mes}/orders/{id}`.
package struct OrderDetailsView: Decodable, Sendable {
    package var order: OrderView
    package var model: ModelView?
    package var quote: QuoteView?
    package var history: [HistoryView]
    /// Staff only; absent for customers.
    package var notes: [NoteView]?
    package var allowedMoves: [String]
}

package struct PageView<Item: Decodable & Sendable>: Decodable, Sendable {
    package var items: [Item]
    package var nextCursor: String?
}

package struct UploadView: Decodable, Sendable {
    package var order: OrderView
    package var model: ModelView
}

package struct DashboardView: Decodable, Sendable {
    package var counts: [String: Int]
    package var status: String
    package var orders: PageView<OrderView>
    package var notCastable: [String]
}

package struct EarningsView: Decodable, Sendable {
    package struct Row: Decodable, Sendable {
        package var orderId: String
        package var status: String
        package var labour: MoneyView?
    }
    package var earned: MoneyView
    package var inWork: MoneyView
    package var orders: [Row]
}

/// A problem+json answer.
package struct ProblemView: Decodable, Sendable {
    package var type: String
    package var title: String
    package var status: Int
    package var detail: String
    package var currentStatus: String?
    package var allowedMoves: [String]?
    package var takenBy: String?
}

/// The CRM's stalled board: `GET /api/crm/stalled`.
package struct StalledBoardView: Decodable, Sendable {
    package struct Stalled: Decodable, Sendable {
        package var order: OrderView
        package var responsible: String
        package var overdueSeconds: Double
    }
    package var counts: [String: Int]
    package var orders: [Stalled]
}

// The partner API's answers, in its own contract's shapes.

package struct PartnerQuoteView: Decodable, Sendable {
    package var material: String
    package var total: MoneyView
}

package struct PartnerHistoryView: Decodable, Sendable {
    package var from: String?
    package var to: String
    package var actorRole: String
    package var note: String?
}

/// `GET /v1/orders/{id}` and the answer to `POST /v1/orders`.
package struct PartnerOrderView: Decodable, Sendable {
    package var id: String
    package var status: String
    package var reference: String?
    package var quote: PartnerQuoteView?
    package var history: [PartnerHistoryView]
}

/// A row of `GET /v1/orders`.
package struct PartnerOrderSummaryView: Decodable, Sendable {
    package var id: String
    package var status: String
}

/// `POST /v1/quotes`.
package struct InstantQuoteView: Decodable, Sendable {
    package struct Metrics: Decodable, Sendable {
        package var triangles: Int
        package var watertight: Bool
    }
    package var quote: PartnerQuoteView
    package var model: Metrics
}

/// A row of `GET /v1/webhook-deliveries`.
package struct DeliveryView: Decodable, Sendable {
    package var id: String
    package var eventId: String
    package var state: String
    package var attempts: Int
    package var lastStatusCode: Int?
    package var lastError: String?
}

/// A partner in the CRM: `GET /api/crm/partners`, `PATCH /api/crm/partners/{id}`.
package struct PartnerAccountView: Decodable, Sendable {
    package struct Key: Decodable, Sendable {
        package var id: String
        package var active: Bool
    }
    package var id: String
    package var autoApproveUpTo: MoneyView?
    package var keys: [Key]
}

/// The CRM's webhook board: `GET /api/crm/webhooks`.
package struct WebhookBoardView: Decodable, Sendable {
    package struct Endpoint: Decodable, Sendable {
        package var url: String
        package var partnerId: String
        package var pending: Int
    }
    package var failing: Int
    package var endpoints: [Endpoint]
}

/// An event a webhook receiver gets.
package struct OrderEventView: Decodable, Sendable {
    package struct Data: Decodable, Sendable {
        package var orderId: String
        package var sequence: Int
        package var to: String
    }
    package var id: String
    package var data: Data
}

/// The price list: `GET /api/shop/price-list`, `GET /api/admin/price-list`.
package struct PriceListView: Decodable, Sendable {
    package struct Material: Decodable, Sendable {
        package var code: String
        package var pricePerGramMinor: Int64
    }
    package var version: Int
    package var currency: String
    package var materials: [Material]
}

/// The pages' price of a design before ordering: `/design/estimate`, `/constructor/estimate`.
package struct EstimateView: Decodable, Sendable {
    package struct Line: Decodable, Sendable {
        package var label: String
        package var amount: String
    }
    package var lines: [Line]
    package var total: String
}

/// A quote's casting check, as clients read it.
package struct CastingView: Decodable, Sendable, Equatable {
    package struct Problem: Decodable, Sendable, Equatable {
        package var rule: String
        package var thinnestMM: Double
        package var requiredMM: Double
        package var areaMM2: Double
        package var at: [Double]
    }
    package struct Ring: Decodable, Sendable, Equatable {
        package var innerDiameterMM: Double
        package var eu: Double
    }
    package var rulesVersion: Int
    package var castable: Bool
    package var thinnestMM: Double?
    package var requiredWallMM: Double
    package var problems: [Problem]
    package var ring: Ring?
}

/// The casting rules: `GET /api/shop/casting-rules`.
package struct CastingRulesView: Codable, Sendable, Equatable {
    package struct Rule: Codable, Sendable, Equatable {
        package var materialCode: String
        package var minimumWallMM: Double
        package var minimumDetailMM: Double
        package var polishingAllowanceMM: Double
        package var detailAreaMM2: Double
    }
    package var version: Int
    package var rules: [Rule]
}
