import AtelierDomain
import AtelierTelemetry
import AtelierTestSupport
import Foundation
import Testing

@testable import AtelierHTTP
@testable import AtelierServices

/// The order page's hand-written JSON is the JSON its `Encodable` types make, and dates are
/// written to the millisecond.
@Suite("Response JSON")
struct ResponseJSONTests {
    @Test("timestamps are ISO 8601 in UTC, to the millisecond, and read back to the same instant")
    func timestamps() throws {
        let cases: [(Int64, String)] = [
            (0, "1970-01-01T00:00:00.000Z"),
            (1_796_150_095_001, "2026-12-01T18:34:55.001Z"),
            (1_709_164_800_999, "2024-02-29T00:00:00.999Z"),
            (4_107_542_399_000, "2100-02-28T23:59:59.000Z"),
            (-1, "1969-12-31T23:59:59.999Z"),
        ]
        for (millis, text) in cases {
            #expect(Timestamp.iso8601(Date(timeIntervalSince1970: Double(millis) / 1000)) == text)
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let millis = Int64.random(in: 0..<4_102_444_800_000, using: &generator)
            let text = Timestamp.iso8601(Date(timeIntervalSince1970: Double(millis) / 1000))
            let read = try Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
            #expect(Int64((read.timeIntervalSince1970 * 1000).rounded()) == millis, "\(text)")
        }
    }

    @Test("an order's page written by hand is the JSON its Encodable types make", arguments: [true, false])
    func orderDetails(staff: Bool) throws {
        let at = Date(timeIntervalSince1970: 1_796_150_095.001)
        let customer = Principal(userID: "u-1", role: .customer, name: "Анна \"Ann\" O'Neil")
        var (order, created) = try Order.start(
            id: "o-1", customer: customer, materialCode: "gold-585", finishCodes: ["polish", "engraving"], traceContext: nil, at: at)
        let attached = try order.attachModel(hash: "h1", filename: "ring/1 \\ \"a\".stl", by: customer, at: at.addingTimeInterval(0.5))
        let metrics = ModelMetrics(volumeMM3: 252.7273452825331, surfaceAreaMM2: 425, triangles: 4608, shells: 1)
        let model = ModelInfo(
            hash: "h1", filename: "ring/1 \\ \"a\".stl", format: "stl-binary", sizeBytes: 230_484, metrics: metrics, vertices: 2304,
            boundingBoxMinMM: [-10.199999809265137, -10.2, -1.2], boundingBoxMaxMM: [10.2, 10.2, 1.2000000476837158],
            watertight: true, boundaryEdges: 0, nonManifoldEdges: 3)
        let prices = PriceList(
            version: 4, currency: "RUB",
            materials: [
                Material(code: "gold-585", name: "Gold 585", densityGPerCM3: 13.0, pricePerGramMinor: 4_000, castingLossPercent: 5)
            ],
            finishes: [
                Finish(code: "polish", name: "Polish", priceMinor: 1_500),
                Finish(code: "engraving", name: "Гравировка\n\t", priceMinor: 900),
            ],
            labour: LabourRates(
                baseMinor: 4_000, perSquareCMMinor: 100, perExtraShellMinor: 1_000, perDetailDoublingMinor: 500, markupPercent: 10))
        let quote = try QuoteCalculator.quote(
            metrics: metrics, materialCode: "gold-585", finishCodes: ["polish", "engraving"], priceList: prices)
        let seller = Principal(userID: "u-2", role: .seller, name: "Sam")
        let note = try OrderNote(
            orderID: "o-1", author: seller, kind: .complaint, body: "call first\u{1}, then <b>ship</b> / \u{1F48D}", createdAt: at)
        let details = OrderDetails(
            order: order, model: model, quote: quote, history: [created] + attached, notes: staff ? [note] : [],
            allowedMoves: [.submitted, .cancelled])
        let response = OrderDetailsResponse(details, includeNotes: staff)

        let written = try JSONSerialization.jsonObject(with: Data(try response.json())) as? NSDictionary
        let encoded = try JSONSerialization.jsonObject(with: try JSONEncoder.atelier.encode(response)) as? NSDictionary

        #expect(written != nil)
        #expect(written == encoded)
        #expect((written?["notes"] as? [Any])?.count == (staff ? 1 : nil))
        #expect((written?["order"] as? NSDictionary)?["createdAt"] as? String == "2026-12-01T18:34:55.001Z")
    }
}
