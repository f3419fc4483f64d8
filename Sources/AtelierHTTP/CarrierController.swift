import AtelierServices
import AtelierText
import HTTPTypes
import Hummingbird

/// The carrier's machine-to-machine endpoint: `/api/carrier`, authenticated by a shared secret.
struct CarrierController {
    let carrier: CarrierService
    let secret: String

    struct DeliveryBody: Decodable {
        var trackingNumber: String
        var note: String?
    }

    struct DeliveryResponse: ResponseEncodable {
        var order: OrderResponse
        /// False when this message repeated an earlier one and changed nothing.
        var changed: Bool
    }

    func addRoutes(to group: RouterGroup<AtelierRequestContext>) {
        group.post("deliveries", use: delivered)
    }

    /// The shipment with this tracking number was delivered: `CLOSED`.
    @Sendable func delivered(_ request: Request, context: AtelierRequestContext) async throws -> DeliveryResponse {
        guard !secret.isEmpty, let given = request.headers[.carrierSecret], constantTimeEquals(given, secret) else {
            throw Problem(status: .unauthorized, type: "unauthorized", detail: "Send the carrier's shared secret in X-Carrier-Secret.")
        }
        let body = try await request.decode(as: DeliveryBody.self, context: context)
        let delivery = try await carrier.delivered(trackingNumber: body.trackingNumber, note: body.note)
        return DeliveryResponse(order: OrderResponse(delivery.order), changed: delivery.changed)
    }
}
