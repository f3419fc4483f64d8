import Foundation

// The fuzzer builds AtelierText with swiftc, outside SwiftPM, which is what makes `Bundle.module`
// for a target with resources. Reading models needs no translation: without the catalogue, every
// message stays English.
extension Bundle {
    static var module: Bundle { .main }
}
