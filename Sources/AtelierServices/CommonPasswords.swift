import Foundation

/// The most common passwords of 8 characters or more, lower-cased: the "passwords" frequency
/// list of zxcvbn 4.5.0 (MIT licence; the 30,000 passwords most seen in public breaches), with
/// a few Russian keyboard-layout ones added. A new password on it is refused (NIST SP 800-63B).
enum CommonPasswords {
    static let all: Set<String> = {
        guard let url = Bundle.module.url(forResource: "common-passwords", withExtension: "txt"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else { return [] }
        return Set(text.split(separator: "\n").map(String.init))
    }()

    static func contains(_ lowercased: String) -> Bool { all.contains(lowercased) }
}
