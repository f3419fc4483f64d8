import AtelierObjectStore
import AtelierStorage
import Foundation
import NIOCore
import Testing

/// The stores a conformance test runs on: a folder always; the real S3 server when the test
/// command started one (`ATELIER_TEST_S3_URL`, SeaweedFS from scripts/s3-test-server).
package enum ModelStoreKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case files, s3

    package var testDescription: String { rawValue }
    package static let s3URL = ProcessInfo.processInfo.environment["ATELIER_TEST_S3_URL"]
    package static var available: [ModelStoreKind] { s3URL == nil ? [.files] : allCases }
    /// How long a test waits for the S3 server's answer: longer than production's 10 s, because
    /// the test server shares two cores with a whole test run starting up (what is tested is the
    /// answer, not the server's speed; a store that is down is still told by the refused connection).
    package static let s3Timeout: TimeAmount = .seconds(60)

    /// A store of its own (a new folder, or a new prefix in the test bucket).
    package func make(secret: String = "atelier-test-secret", bucket: String = "atelier", endpoint: String? = nil) throws -> any ModelStore
    {
        switch self {
        case .files:
            return try FileModelStore(
                root: FileManager.default.temporaryDirectory.appendingPathComponent("models-\(UUID().uuidString)").path)
        case .s3:
            let settings = try S3ModelStore.Settings(
                url: "s3://\(bucket)/t-\(UUID().uuidString.prefix(8).lowercased())",
                environment: [
                    "ATELIER_S3_ENDPOINT": endpoint ?? Self.s3URL!, "AWS_ACCESS_KEY_ID": "atelier-test", "AWS_SECRET_ACCESS_KEY": secret,
                ])
            return S3ModelStore(settings: settings, timeout: Self.s3Timeout)
        }
    }
}
