import AtelierObjectStore
import AtelierServices
import AtelierStorage

/// The model store the settings name (`ATELIER_MODEL_STORE`), opened and checked: a folder that
/// can be written, or a bucket that answers to Atelier's credentials. A mistake, or a store that
/// is down, is told here, at start, in words for the operator.
public enum ModelStores {
    public static func open(_ configuration: AtelierConfiguration, environment: [String: String]) async throws -> any ModelStore {
        guard let url = configuration.modelStore, url.hasPrefix("s3://") else {
            let store = try FileModelStore(root: configuration.modelFolder)
            _ = try await store.removeTemporaryFiles()
            return store
        }
        let store = S3ModelStore(settings: try S3ModelStore.Settings(url: url, environment: environment))
        try await store.check()
        return store
    }

    /// Where the store is, for the log (never a credential).
    public static func describe(_ configuration: AtelierConfiguration) -> String {
        configuration.modelStore.map { $0.hasPrefix("s3://") ? $0 : "folder \($0)" } ?? "folder \(configuration.modelFolder)"
    }
}
