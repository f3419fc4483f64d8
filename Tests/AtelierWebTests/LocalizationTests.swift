import AtelierApp
import AtelierDomain
import AtelierJobs
import AtelierServices
import AtelierStorage
import AtelierTestSupport
import AtelierText
import Foundation
import HTTPTypes
import Testing

@testable import AtelierWeb

/// The English texts the program says, found in its sources: the texts of the page templates
/// (`{{#t}}…{{/t}}`) and the phrases of the Swift sources (a string literal where a ``Phrase`` is
/// expected: see docs/localization.md for the places the scan knows).
enum SourceTexts {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Each template text with the file it is in.
    static func templateTexts() throws -> [String: String] {
        let folder = root.appendingPathComponent("Sources/AtelierWeb/Templates")
        var texts: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".mustache") {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            var rest = text[...]
            while let open = rest.range(of: "{{#t}}"), let close = rest[open.upperBound...].range(of: "{{/t}}") {
                texts[Catalogue.normalized(String(rest[open.upperBound..<close.lowerBound])), default: name] = name
                rest = rest[close.upperBound...]
            }
        }
        return texts
    }

    /// What comes right before a phrase literal on its line (or ends the line before it).
    static let shapes = [
        "invalid(", "notFound(", "DesignError(", "fail(", "detail: ", "badRequest(", "flash: ", "title: ", "error: ", "label: ",
        "what: ", "field: ", "Phrase(", "Phrase(stringLiteral: ",
    ]

    /// Each phrase key of the Swift sources with the place it is written.
    static func phrases() throws -> [String: String] {
        var phrases: [String: String] = [:]
        let modules = ["AtelierDomain", "AtelierGeometry", "AtelierServices", "AtelierHTTP", "AtelierWeb", "AtelierPartnerAPI"]
        for module in modules {
            let folder = root.appendingPathComponent("Sources/\(module)")
            guard let files = FileManager.default.enumerator(atPath: folder.path) else { continue }
            for case let file as String in files where file.hasSuffix(".swift") {
                let lines = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8).components(separatedBy: "\n")
                scan(lines) { key, line in phrases[key, default: "\(module)/\(file):\(line)"] = "\(module)/\(file):\(line)" }
            }
        }
        return phrases
    }

    /// Calls `found` for each phrase literal of `lines`: one after a shape of ``shapes``, one on
    /// the line after a line ending in a shape or in `return`, and every literal of a block that
    /// makes phrases (`var phrase: Phrase {`, `-> Phrase {`, `[Key: Phrase] = [`, the menus).
    static func scan(_ lines: [String], found: (String, Int) -> Void) {
        var depth: Int?
        var previous = ""
        for (index, line) in lines.enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("//") {
                previous = ""
                continue
            }
            if depth == nil,
                line.contains(": Phrase {") || line.contains("-> Phrase {") || line.contains(": Phrase] = [")
                    || line.contains("[(String, Phrase)]") || line.contains("links = [")
            {
                depth = 0
            }
            let block = depth != nil
            let continued =
                shapes.map { $0.trimmingCharacters(in: .whitespaces) }.contains { previous.hasSuffix($0) }
                || previous.hasSuffix("return")
            for (start, key) in literals(line) {
                let before = String(line[..<start])
                let placed =
                    block || shapes.contains { before.hasSuffix($0) } || (before.allSatisfy(\.isWhitespace) && continued)
                    || (before.contains("notYours(") && before.hasSuffix("reason: "))
                    || before.range(of: #"choice\("\w+", $"#, options: .regularExpression) != nil
                // Two values with a shape's name that are no phrase: what readiness and a webhook
                // delivery record say, for operators.
                let internalRecord = before.contains("Health(") || before.contains(".givenUp(")
                if placed, !internalRecord, isWords(key) { found(key, index + 1) }
            }
            if let current = depth {
                let code = line.replacingOccurrences(of: #""(\\.|[^"\\])*""#, with: "", options: .regularExpression)
                let opened = code.filter { "{[(".contains($0) }.count, closed = code.filter { "}])".contains($0) }.count
                depth = current + opened - closed > 0 ? current + opened - closed : nil
            }
            previous = line.trimmingCharacters(in: .whitespaces)
        }
    }

    /// A key says something: it has letters outside its placeholders, and is neither a path nor
    /// an identifier (a metric's name).
    static func isWords(_ key: String) -> Bool {
        let words = key.replacingOccurrences(of: #"\{\d+\}"#, with: "", options: .regularExpression)
        let identifier = key.range(of: #"^[a-z0-9]+(_[a-z0-9]+)+$"#, options: .regularExpression) != nil
        return !key.hasPrefix("/") && !identifier && words.range(of: "[A-Za-z]{2}", options: .regularExpression) != nil
    }

    /// The one-line string literals of `line` (not `"""`), each with where it starts and its
    /// text with every interpolation written `{n}`, as ``Phrase`` makes its key.
    static func literals(_ line: String) -> [(String.Index, String)] {
        var found: [(String.Index, String)] = []
        var index = line.startIndex
        while let quote = line[index...].firstIndex(of: "\"") {
            if line[quote...].hasPrefix("\"\"\"") { break }
            var key = "", count = 0
            var cursor = line.index(after: quote)
            while cursor < line.endIndex, line[cursor] != "\"" {
                if line[cursor] == "\\", line.index(after: cursor) < line.endIndex {
                    let next = line.index(after: cursor)
                    if line[next] == "(" {
                        // An interpolation: skip to its closing parenthesis (literals inside skipped too).
                        var depth = 1
                        cursor = line.index(after: next)
                        while cursor < line.endIndex, depth > 0 {
                            if line[cursor] == "(" { depth += 1 }
                            if line[cursor] == ")" { depth -= 1 }
                            if line[cursor] == "\"" {
                                cursor = line.index(after: cursor)
                                while cursor < line.endIndex, line[cursor] != "\"" { cursor = line.index(after: cursor) }
                            }
                            cursor = line.index(after: cursor)
                        }
                        count += 1
                        key += "{\(count)}"
                        continue
                    }
                    key.append(line[next] == "\"" ? "\"" : line[next] == "\\" ? "\\" : "\\\(line[next])")
                    cursor = line.index(after: next)
                    continue
                }
                key.append(line[cursor])
                cursor = line.index(after: cursor)
            }
            found.append((quote, key))
            guard cursor < line.endIndex else { break }
            index = line.index(after: cursor)
        }
        return found
    }

    /// The tags of a template text (`{{name}}`) or the placeholders of a phrase (`{1}`), sorted.
    static func slots(_ text: String) -> [String] {
        var slots: [String] = []
        var rest = text[...]
        while let found = rest.range(of: #"\{\{[^}]*\}\}|\{\d+\}|\{[a-zA-Z]+\}"#, options: .regularExpression) {
            slots.append(String(rest[found]))
            rest = rest[found.upperBound...]
        }
        return slots.sorted()
    }
}

@Suite("Russian and English")
struct LocalizationTests {
    @Test("every text of the pages and every phrase of the program has a Russian translation with the same placeholders")
    func catalogueIsComplete() throws {
        #expect(Catalogue.loadingProblem == nil)
        let russian = Catalogue.russian.entries
        let templates = try SourceTexts.templateTexts(), phrases = try SourceTexts.phrases()
        #expect(templates.count > 200 && phrases.count > 200, "the scan finds the texts (\(templates.count), \(phrases.count))")
        for (text, file) in templates.sorted(by: { $0.key < $1.key }) {
            let translation = russian[text]
            #expect(translation != nil, "\(file): no Russian for \(text.debugDescription)")
            if let translation { #expect(SourceTexts.slots(translation) == SourceTexts.slots(text), "\(file): the tags of \(text)") }
        }
        for (key, place) in phrases.sorted(by: { $0.key < $1.key }) {
            let translation = russian[key]
            #expect(translation != nil, "\(place): no Russian for \(key.debugDescription)")
            if let translation { #expect(SourceTexts.slots(translation) == SourceTexts.slots(key), "\(place): the placeholders of \(key)") }
        }
    }

    @Test("the demo data's names (metals, finishes, pieces) have Russian names")
    func demoNames() async throws {
        let harness = try await Harness.make()
        let list = DemoData.priceList
        let pieces = try await harness.useCases.shop.catalog()
        let names = list.materials.map(\.name) + list.finishes.map(\.name) + pieces.flatMap { [$0.name, $0.description] }
        #expect(names.count > 10)
        for name in names { #expect(Catalogue.russian.entries[name] != nil, "no Russian for \(name)") }
    }

    @Test("the e-mails have the same texts in Russian as in English, with the same values")
    func mailTextsMatch() throws {
        let folder = SourceTexts.root.appendingPathComponent("Sources/AtelierServices/Resources/mail")
        let english = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: folder.appendingPathComponent("en.json")))
        let russian = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: folder.appendingPathComponent("ru.json")))
        #expect(
            Set(english.keys) == Set(russian.keys),
            "missing in ru: \(Set(english.keys).subtracting(russian.keys)), in en: \(Set(russian.keys).subtracting(english.keys))")
        for (key, text) in english { #expect(SourceTexts.slots(russian[key] ?? "") == SourceTexts.slots(text), "the values of \(key)") }
    }

    @Test("a phrase keeps its values apart from its words, and says them in either language")
    func phrases() {
        let id = "o-1"
        let phrase: Phrase = "Order \(id) has no model; attach one before submitting."
        #expect(phrase.key == "Order {1} has no model; attach one before submitting.")
        #expect(phrase.description == "Order o-1 has no model; attach one before submitting.")
        #expect(Catalogue.russian.text(phrase) == "У заказа o-1 нет модели; приложите её перед оформлением.")
        // A phrase inside a phrase is translated too; a value is never looked up.
        let nested: Phrase = "\(Phrase(stringLiteral: "A note")) has at most \(4000) characters; this one has \(4001)."
        #expect(Catalogue.russian.text(nested) == "Заметка: не больше 4000 символов, а здесь 4001.")
        #expect(Catalogue.russian.text(Phrase(verbatim: "Orders")) == "Orders")
        // A text no catalogue has stays English; braces that are no placeholder stay as they are.
        #expect(Catalogue.russian.text("Nothing like this is translated {x} {99}") == "Nothing like this is translated {x} {99}")
    }

    @Test("Accept-Language chooses by weight among the languages Atelier speaks; anything else is English")
    func negotiation() {
        #expect(Language.preferred(acceptLanguage: "ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7") == .russian)
        #expect(Language.preferred(acceptLanguage: "en-GB,en;q=0.9,ru;q=0.8") == .english)
        #expect(Language.preferred(acceptLanguage: "de-DE,de;q=0.9,ru;q=0.5") == .russian)
        #expect(Language.preferred(acceptLanguage: "en;q=0.2, ru;q=0.8") == .russian)
        #expect(Language.preferred(acceptLanguage: "de-DE, fr;q=0.9") == .english)
        #expect(Language.preferred(acceptLanguage: "ru;q=0") == .english)
        #expect(Language.preferred(acceptLanguage: "*") == .english)
        #expect(Language.preferred(acceptLanguage: ";;;,,,q=,ru;q=abc") == .russian)
        #expect(Language.preferred(acceptLanguage: nil) == .english)
        // A hostile header is read only in part: it costs no more than a short one.
        let long = String(repeating: "xx-YY;q=0.1,", count: 100_000) + "ru"
        #expect(Language.preferred(acceptLanguage: long) == .english)
        #expect(Addressee.timeZone(named: "Asia/Yekaterinburg")?.identifier == "Asia/Yekaterinburg")
        #expect(Addressee.timeZone(named: "../../etc/passwd") == nil && Addressee.timeZone(named: "Nowhere/Else") == nil)
    }

    @Test("amounts, days and times are written as the language writes them, in the person's time zone")
    func formats() {
        let russian = Addressee(language: .russian, timeZone: TimeZone(identifier: "Asia/Yekaterinburg")!)
        let english = Addressee(language: .english, timeZone: TimeZone(identifier: "Europe/London")!)
        // 2026-12-09 21:30 UTC: 10 December in Yekaterinburg (UTC+5), 9 December in London.
        let moment = Date(timeIntervalSince1970: 1_796_851_800)
        let noBreak = { (text: String) in text.replacingOccurrences(of: "\u{A0}", with: " ").replacingOccurrences(of: "\u{202F}", with: " ")
        }
        #expect(noBreak(russian.day(moment)) == "10 декабря 2026 г.")
        #expect(english.day(moment) == "9 December 2026")
        #expect(russian.dateTime(moment).contains("02:30") || russian.dateTime(moment).contains("2:30"))
        #expect(english.dateTime(moment).contains("21:30"))
        #expect(noBreak(russian.amount(minorUnits: 1_234_56, currency: "RUB")) == "1 234,56 ₽")
        #expect(noBreak(english.amount(minorUnits: 1_234_56, currency: "EUR")) == "€1,234.56")
        #expect(noBreak(russian.number(1234.5, decimals: 1)) == "1 234,5")
    }
}

@Suite("Pages, answers and e-mails in the person's language")
struct LanguageChoiceTests {
    @Test("problem+json answers in the language Accept-Language asks for; an unknown language is English")
    func problems() async throws {
        let harness = try await Harness.make()
        try await harness.webTest { browser in
            let api = browser.api
            let wrong: [String: any Sendable] = ["email": "customer@atelier.test", "password": "not-it-at-all"]
            let russian = try await api.call(
                .post, "/api/auth/sign-in", json: wrong, headers: ["Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"])
            #expect(russian.status == .unauthorized)
            #expect(russian.string("detail") == "Неверный адрес или пароль.")
            #expect(russian.headers[.contentLanguage] == "ru")
            let german = try await api.call(.post, "/api/auth/sign-in", json: wrong, headers: ["Accept-Language": "de-DE"])
            #expect(german.string("detail") == "The e-mail or the password is wrong.")
            #expect(german.headers[.contentLanguage] == "en")

            // A bad phone number at checkout, in Russian, naming what to write.
            let token = try await api.signIn("customer@atelier.test")
            let created = try await api.call(
                .post, "/api/shop/orders", token: token, json: ["material": "gold-585", "catalogItem": "ball-studs"])
            let id = try #require(created.string("id"))
            var delivery = Deliveries.fields
            delivery["phone"] = "call me maybe"
            let refused = try await api.call(
                .post, "/api/shop/orders/\(id)/submit", token: token, json: ["delivery": delivery], headers: ["Accept-Language": "ru"])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.string("detail")?.hasPrefix("Это не номер телефона: укажите его с кодом страны") == true)
            var address = Deliveries.fields
            address["postalCode"] = "1010"
            let badPostalCode = try await api.call(
                .post, "/api/shop/orders/\(id)/submit", token: token, json: ["delivery": address], headers: ["Accept-Language": "ru"])
            #expect(badPostalCode.string("detail") == "Российский почтовый индекс состоит из шести цифр.")
            address = Deliveries.fields
            address["city"] = ""
            let noCity = try await api.call(
                .post, "/api/shop/orders/\(id)/submit", token: token, json: ["delivery": address], headers: ["Accept-Language": "ru"])
            #expect(noCity.string("detail") == "Город: нужно заполнить, не больше 100 символов в одну строку.")

            // A reset link that does not work (used, expired or made up): 410, said in Russian.
            let gone = try await api.call(
                .post, "/api/auth/password-reset/confirm", json: ["token": "made-up-token", "password": "quartz-lily-meadow"],
                headers: ["Accept-Language": "ru"])
            #expect(gone.status == .gone)
            #expect(
                gone.string("detail")
                    == "Эта ссылка больше не работает: ею уже воспользовались или срок её действия истёк. Запросите новую.")
        }
    }

    @Test("a page follows Accept-Language until the person chooses with the switch; the choice is kept and reaches their e-mails")
    func pagesAndSwitch() async throws {
        let harness = try await Harness.make()
        try await harness.webTest { browser in
            let russian = try await browser.get("/sign-in", headers: ["Accept-Language": "ru"])
            #expect(russian.text.contains("<html lang=\"ru\">"))
            #expect(russian.text.contains("<title>Войти · Atelier</title>") && russian.text.contains("Забыли пароль?"))
            #expect(!russian.text.contains("Forgot your password"))
            let english = try await browser.get("/sign-in")
            #expect(english.text.contains("<html lang=\"en\">") && english.text.contains("Forgot your password?"))

            // The switch: a cookie for a year, and back to the page the person was on.
            let switched = try await browser.post("/language", [("lang", "ru"), ("next", "/constructor")])
            #expect(switched.status == .seeOther && switched.location == "/constructor")
            #expect(switched.headers[values: .setCookie].contains { $0.hasPrefix("atelier_lang=ru") && $0.contains("Max-Age=31536000") })
            let constructor = try await browser.get("/constructor", headers: ["Accept-Language": "en"])
            #expect(constructor.text.contains("Размер кольца") && constructor.text.contains("id=\"size-guide\""))
            // Russian sizes first for a Russian reader: the inner diameter, 17 mm to start with.
            #expect(constructor.text.contains("<option value=\"ru\" selected>") && constructor.text.contains("value=\"17\""))
            // An unknown language is English.
            #expect(try await browser.post("/language", [("lang", "xx"), ("next", "/")]).status == .seeOther)
            #expect(try await browser.get("/sign-in").text.contains("<html lang=\"en\">"))

            // Chosen before signing in, the language is kept on the account at sign-in.
            _ = try await browser.post("/language", [("lang", "ru"), ("next", "/sign-in")])
            try await browser.signIn("operator@atelier.test")
            #expect(try await harness.store.reader.user(email: "operator@atelier.test")?.language == .russian)
            _ = try await browser.post("/sign-out")
            _ = try await browser.post("/language", [("lang", "en"), ("next", "/")])

            // Signed in, the switch is kept on the account: the next e-mail is in Russian.
            try await browser.signIn("seller@atelier.test")
            _ = try await browser.post("/language", [("lang", "ru"), ("next", "/crm")])
            let crm = try await browser.get("/crm")
            #expect(crm.text.contains("<h1>Заказы</h1>") && crm.text.contains("Выйти"))
            _ = try await browser.post("/sign-out")
            _ = try await browser.post("/password-reset", [("email", "seller@atelier.test")])
            try await harness.composition.mailWorker().runDueJobs()
            let mail = try #require(try harness.mailed(to: "seller@atelier.test").last)
            #expect(mail.contains("Здравствуйте, Sam Seller!") && mail.contains("Задать новый пароль"))
            #expect(!mail.contains("Set a new password"))
        }
    }

    @Test("a customer who signs up in Russian gets Russian e-mails with amounts and days written the Russian way")
    func russianCustomer() async throws {
        let harness = try await Harness.make()
        try await harness.webTest { browser in
            let api = browser.api
            let signedUp = try await api.call(
                .post, "/api/auth/sign-up", json: ["email": "irina@example.ru", "name": "Ирина Петрова", "password": "quartz-lily-meadow"],
                headers: ["Accept-Language": "ru"])
            #expect(signedUp.status == .created)
            try await harness.composition.mailWorker().runDueJobs()
            let welcome = try #require(try harness.mailed(to: "irina@example.ru").first)
            #expect(welcome.contains("Здравствуйте, Ирина Петрова!") && welcome.contains("Подтвердить адрес"))

            let token = try await api.signIn("irina@example.ru", password: "quartz-lily-meadow")
            let id = try await api.submittedCatalogOrder(token: token)
            try await harness.composition.pricingWorker().runDueJobs()
            try await harness.composition.mailWorker().runDueJobs()
            let mails = try harness.mailed(to: "irina@example.ru")
            let priced = try #require(mails.first { $0.contains("Цена вашего заказа \(id.prefix(8))") })
            // `1 234,56 €`: a comma before the cents, the sign after the amount.
            #expect(priced.range(of: #"\d,\d\d\s€"#, options: .regularExpression) != nil)
            // Her order page, in her language and time zone.
            try await browser.signIn("irina@example.ru", password: "quartz-lily-meadow")
            browser.setCookie("atelier_tz", "Asia%2FYekaterinburg")
            let page = try await browser.get("/orders/\(id)", headers: ["Accept-Language": "ru"])
            #expect(page.text.contains("Ход заказа") && page.text.contains("Цена рассчитана"))
            let placed = try #require(try await harness.store.reader.history(orderID: id).first { $0.to == .submitted }?.at)
            #expect(
                page.text.contains(Addressee(language: .russian, timeZone: TimeZone(identifier: "Asia/Yekaterinburg")!).dateTime(placed)))
        }
    }
}

@Suite("Prices in the price list's currency")
struct CurrencyTests {
    @Test("a price list in roubles is priced and shown in roubles, the Russian way in Russian")
    func roubles() async throws {
        let harness = try await Harness.make { $0.demoCurrency = "RUB" }
        try await harness.webTest { browser in
            #expect(try await harness.store.reader.priceList().currency == "RUB")
            let query = "kind=ring&standard=ru&size=17&width=4&material=gold-585"
            func estimate(_ headers: [String: String]) async throws -> Reply {
                try await browser.get("/constructor/estimate?\(query)", headers: headers)
            }
            let russian = try await estimate(["Accept": "application/json", "Accept-Language": "ru"])
            let total = try #require(russian.string("total"))
            #expect(total.range(of: #"^\d{1,3}(\s\d{3})*,\d\d\s₽$"#, options: .regularExpression) != nil, "\(total)")
            let english = try await estimate(["Accept": "application/json"])
            #expect(english.string("total")?.hasPrefix("RUB") == true, "\(english.status) \(english.text.prefix(300))")
            let page = try await browser.get("/constructor", headers: ["Accept-Language": "ru"])
            #expect(page.text.contains("₽ за грамм"))
        }
    }
}

@Suite("E-mails a customer can stop")
struct EmailPreferencesTests {
    @Test("an e-mail about progress carries a link that stops such e-mails without signing in; essential ones still come")
    func stopProgressEmails() async throws {
        let harness = try await Harness.make()
        try await harness.webTest { browser in
            let api = browser.api
            let customer = try await api.signIn("customer@atelier.test")
            let seller = try await api.signIn("seller@atelier.test")
            let first = try await api.submittedCatalogOrder(token: customer)
            try await harness.composition.pricingWorker().runDueJobs()
            #expect(try await api.call(.post, "/api/crm/orders/\(first)/approve", token: seller).status == .ok)
            try await harness.composition.mailWorker().runDueJobs()

            // The approval is not essential: it has the link, in the text and in the headers.
            let folder = harness.dataDirectory.appendingPathComponent("mail")
            let raw = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".eml") }
                .map { try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8) }
            let approved = try #require(raw.first { $0.contains("List-Unsubscribe:") })
            #expect(approved.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"))
            #expect(raw.filter { $0.contains("List-Unsubscribe:") }.count == 1, "only the e-mail about progress has it")
            let token = try #require(try harness.mailedLinks(to: "customer@atelier.test", path: "email-preferences").first)
            #expect(approved.contains("/email-preferences/\(token)>"))

            // The link opens a page, no sign-in needed; its form stops them.
            let page = try await browser.get("/email-preferences/\(token)")
            #expect(page.status == .ok && page.text.contains("customer@atelier.test") && page.text.contains("id=\"progress\" checked"))
            let stopped = try await browser.post("/email-preferences/\(token)", [])
            #expect(stopped.status == .seeOther)
            #expect(try await harness.store.reader.user(email: "customer@atelier.test")?.progressEmails == false)
            #expect(try await browser.get("/email-preferences/made-up-token-of-some-length").status == .gone)

            // The next order: placed, priced and cancelled come (essential), its approval does not.
            let second = try await api.submittedCatalogOrder(token: customer)
            try await harness.composition.pricingWorker().runDueJobs()
            #expect(try await api.call(.post, "/api/crm/orders/\(second)/approve", token: seller).status == .ok)
            try await harness.composition.mailWorker().runDueJobs()
            let short = String(second.prefix(8))
            let mails = try harness.mailed(to: "customer@atelier.test").filter { $0.contains(short) }
            #expect(mails.contains { $0.contains("has reached our workshop") } && mails.contains { $0.contains("The price of your order") })
            #expect(!mails.contains { $0.contains("approved for manufacturing") })
            #expect(try await harness.store.reader.emails(orderID: second).allSatisfy { $0.sentAt != nil }, "every e-mail is done")

            // A mail program's one-click unsubscribe, and the account page, turn them on and off too.
            try await browser.signIn("customer@atelier.test")
            _ = try await browser.post("/account/email-preferences", [("progress", "on")])
            #expect(try await harness.store.reader.user(email: "customer@atelier.test")?.progressEmails == true)
            let oneClick = try await browser.api.call(
                .post, "/email-preferences/\(token)", body: Array("List-Unsubscribe=One-Click".utf8),
                headers: ["Content-Type": "application/x-www-form-urlencoded"])
            #expect(oneClick.status == .ok)
            #expect(try await harness.store.reader.user(email: "customer@atelier.test")?.progressEmails == false)
        }
    }
}
