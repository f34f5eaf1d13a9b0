//! A receipt's words in the languages the desk works in, and its amounts and times written the
//! way each reads them. Kept in the core, not the window: the PDF and the email are made here,
//! away from the window, and must say what the dialog shows. One struct per language, so a word
//! missing in one is a compile error rather than a blank on a customer's receipt.

use serde::{Deserialize, Serialize};

use crate::money::Money;
use crate::payment::Status;

/// The language a receipt is written in: the window's, sent with each request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    En,
    Es,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::En, Locale::Es];

    pub fn as_str(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Es => "es",
        }
    }

    pub fn words(self) -> &'static Words {
        match self {
            Locale::En => &EN,
            Locale::Es => &ES,
        }
    }

    /// "1,234.50 USD" / "1234,50 USD", "12.345,50 USD": the ISO code after the figure, so a
    /// receipt in any currency reads the same way; grouped as each language groups.
    pub fn money(self, amount: Money) -> String {
        let text = amount.to_major_string();
        let (sign, digits) = text.strip_prefix('-').map_or(("", text.as_str()), |d| ("-", d));
        let (whole, fraction) = digits.split_once('.').map_or((digits, None), |(w, f)| (w, Some(f)));
        let (group, point, min_grouped) = match self {
            Locale::En => (',', '.', 4),
            // Spanish leaves a four-figure number ungrouped (RAE, and es-ES number formats).
            Locale::Es => ('.', ',', 5),
        };
        let mut grouped = String::new();
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && whole.len() >= min_grouped && (whole.len() - i) % 3 == 0 {
                grouped.push(group);
            }
            grouped.push(c);
        }
        let fraction = fraction.map(|f| format!("{point}{f}")).unwrap_or_default();
        format!("{sign}{grouped}{fraction} {}", amount.currency.code())
    }

    /// A rate as entered ("0.19") as a percentage: "19 %", "19,5 %".
    pub fn percent(self, rate: &str) -> Option<String> {
        let rate: rust_decimal::Decimal = rate.trim().parse().ok()?;
        let percent = (rate * rust_decimal::Decimal::ONE_HUNDRED).normalize().to_string();
        Some(match self {
            Locale::En => format!("{percent} %"),
            Locale::Es => format!("{} %", percent.replace('.', ",")),
        })
    }

    /// Milliseconds since the epoch, at the desk's UTC offset: "8 Dec 2026, 14:03 (UTC+01:00)".
    /// The offset is printed: the one the window sent is today's, which may not have been the
    /// payment's (a change of summer time in between).
    pub fn date_time(self, ms: i64, utc_offset_minutes: i32) -> String {
        let local = ms + i64::from(utc_offset_minutes) * 60_000;
        let (days, rest) = (local.div_euclid(86_400_000), local.rem_euclid(86_400_000));
        let (hour, minute) = (rest / 3_600_000, rest / 60_000 % 60);
        let sign = if utc_offset_minutes < 0 { '-' } else { '+' };
        let offset = utc_offset_minutes.unsigned_abs();
        let zone = format!("UTC{sign}{:02}:{:02}", offset / 60, offset % 60);
        // 2440588 is the Julian day number of 1970-01-01.
        match time::Date::from_julian_day((days + 2_440_588) as i32) {
            Ok(d) => {
                let month = self.words().months[usize::from(u8::from(d.month())) - 1];
                format!("{} {month} {}, {hour:02}:{minute:02} ({zone})", d.day(), d.year())
            }
            Err(_) => super::super::utc_timestamp(ms),
        }
    }
}

impl std::str::FromStr for Locale {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Locale::ALL.into_iter().find(|l| l.as_str() == s.trim()).ok_or_else(|| s.to_string())
    }
}

/// Every word a receipt, its PDF and its email use, in one language.
pub struct Words {
    pub title: &'static str,
    pub test_receipt: &'static str,
    pub amount: &'static str,
    pub status: &'static str,
    pub reference: &'static str,
    pub date: &'static str,
    pub paid_through: &'static str,
    pub customer: &'static str,
    pub guest: &'static str,
    pub customer_tax_number: &'static str,
    pub card: &'static str,
    pub holder: &'static str,
    pub paid_with: &'static str,
    /// The provider's own reference for the payment, per provider (docs/ui.md §11).
    pub atrip_order: &'static str,
    pub travelport_locator: &'static str,
    pub holidayextras_payment: &'static str,
    pub heipay_reference: &'static str,
    pub paid_for: &'static str,
    pub pnr: &'static str,
    pub atrip_fee: &'static str,
    pub airline_price: &'static str,
    pub card_charged: &'static str,
    pub method_deposit: &'static str,
    pub method_vcc: &'static str,
    pub method_byoa: &'static str,
    pub method_mor: &'static str,
    pub cash: &'static str,
    pub stored_fop: &'static str,
    pub hx_token: &'static str,
    /// "Offer {n}" for an offer Travelport gave no description.
    pub offer: &'static str,
    pub booking_reference: &'static str,
    pub hotel: &'static str,
    pub detail: &'static str,
    pub installments: &'static str,
    pub subtotal: &'static str,
    /// "Tax ({rate})".
    pub tax: &'static str,
    /// "Service ({rate})".
    pub service: &'static str,
    pub total: &'static str,
    pub tickets: &'static str,
    pub ticket_number: &'static str,
    pub passenger: &'static str,
    pub ticket_kind: &'static str,
    pub kind_ticket: &'static str,
    pub kind_emd: &'static str,
    pub refunds: &'static str,
    pub refunded: &'static str,
    pub net_paid: &'static str,
    pub phone: &'static str,
    /// "Issued {date}".
    pub issued: &'static str,
    /// "Page {n} of {total}", at the foot of a receipt longer than a page.
    pub page: &'static str,
    /// "Receipt {reference}": the email's subject and the PDF's name.
    pub receipt_of: &'static str,
    pub email_intro: &'static str,
    pub months: [&'static str; 12],
    pub statuses: StatusWords,
}

/// A payment's status as a customer reads it (not the desk's working words).
pub struct StatusWords {
    pub draft: &'static str,
    pub submitting: &'static str,
    pub paid: &'static str,
    pub ticketing: &'static str,
    pub ticketed: &'static str,
    pub ticketing_failed: &'static str,
    pub declined: &'static str,
    pub unclear: &'static str,
    pub refunded: &'static str,
}

impl Words {
    pub fn status(&self, status: Status) -> &'static str {
        let s = &self.statuses;
        match status {
            Status::Draft => s.draft,
            Status::Submitting => s.submitting,
            Status::Paid => s.paid,
            Status::Ticketing => s.ticketing,
            Status::Ticketed => s.ticketed,
            Status::TicketingFailed => s.ticketing_failed,
            Status::Declined => s.declined,
            Status::Unknown | Status::NeedsReview => s.unclear,
            Status::Refunded => s.refunded,
        }
    }
}

/// `template` with `{name}` replaced by `value`.
pub fn fill(template: &str, name: &str, value: &str) -> String {
    template.replace(&format!("{{{name}}}"), value)
}

pub const EN: Words = Words {
    title: "Payment receipt",
    test_receipt: "TEST RECEIPT — Sandbox: no real money moved",
    amount: "Amount",
    status: "Status",
    reference: "Reference",
    date: "Date",
    paid_through: "Paid through",
    customer: "Customer",
    guest: "Guest",
    customer_tax_number: "Customer's tax number",
    card: "Card",
    holder: "Cardholder",
    paid_with: "Paid with",
    atrip_order: "ATRIP order",
    travelport_locator: "Travelport locator",
    holidayextras_payment: "Holiday Extras payment id",
    heipay_reference: "HeiPay reference",
    paid_for: "What was paid for",
    pnr: "Airline booking (PNR)",
    atrip_fee: "ATRIP service fee",
    airline_price: "Airline price",
    card_charged: "Charged to the card",
    method_deposit: "ATRIP deposit",
    method_vcc: "Virtual card (VCC)",
    method_byoa: "Airline account (BYOA)",
    method_mor: "Card, charged by ATRIP",
    cash: "Cash",
    stored_fop: "Form of payment on the reservation",
    hx_token: "Card kept by Holiday Extras",
    offer: "Offer {n}",
    booking_reference: "Booking reference",
    hotel: "Hotel",
    detail: "Description",
    installments: "Installments",
    subtotal: "Subtotal",
    tax: "Tax ({rate})",
    service: "Service ({rate})",
    total: "Total",
    tickets: "Tickets",
    ticket_number: "Number",
    passenger: "Passenger",
    ticket_kind: "Type",
    kind_ticket: "Ticket",
    kind_emd: "EMD",
    refunds: "Refunds",
    refunded: "Refunded",
    net_paid: "Paid, less refunds",
    phone: "Tel.",
    issued: "Issued {date}",
    page: "Page {n} of {total}",
    receipt_of: "Receipt {reference}",
    email_intro: "Thank you for your payment. Your receipt is below and attached as a PDF.",
    months: ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
    statuses: StatusWords {
        draft: "Not sent",
        submitting: "Being sent",
        paid: "Paid",
        ticketing: "Paid — tickets being issued",
        ticketed: "Paid — tickets issued",
        ticketing_failed: "Paid — the tickets could not be issued",
        declined: "Declined — nothing was charged",
        unclear: "Being confirmed with the provider",
        refunded: "Refunded",
    },
};

pub const ES: Words = Words {
    title: "Recibo de pago",
    test_receipt: "RECIBO DE PRUEBA — Sandbox: no se movió dinero real",
    amount: "Importe",
    status: "Estado",
    reference: "Referencia",
    date: "Fecha",
    paid_through: "Cobrado con",
    customer: "Cliente",
    guest: "Huésped",
    customer_tax_number: "Número fiscal del cliente",
    card: "Tarjeta",
    holder: "Titular",
    paid_with: "Pagado con",
    atrip_order: "Pedido ATRIP",
    travelport_locator: "Localizador Travelport",
    holidayextras_payment: "Id de pago de Holiday Extras",
    heipay_reference: "Referencia en HeiPay",
    paid_for: "Concepto",
    pnr: "Reserva de la aerolínea (PNR)",
    atrip_fee: "Cargo por servicio de ATRIP",
    airline_price: "Precio de la aerolínea",
    card_charged: "Cobrado a la tarjeta",
    method_deposit: "Depósito ATRIP",
    method_vcc: "Tarjeta virtual (VCC)",
    method_byoa: "Cuenta de la aerolínea (BYOA)",
    method_mor: "Tarjeta, cobrada por ATRIP",
    cash: "Efectivo",
    stored_fop: "Forma de pago de la reserva",
    hx_token: "Tarjeta guardada en Holiday Extras",
    offer: "Oferta {n}",
    booking_reference: "Referencia de la reserva",
    hotel: "Hotel",
    detail: "Descripción",
    installments: "Cuotas",
    subtotal: "Subtotal",
    tax: "Impuesto ({rate})",
    service: "Servicio ({rate})",
    total: "Total",
    tickets: "Billetes",
    ticket_number: "Número",
    passenger: "Pasajero",
    ticket_kind: "Tipo",
    kind_ticket: "Billete",
    kind_emd: "EMD",
    refunds: "Reembolsos",
    refunded: "Reembolsado",
    net_paid: "Pagado, menos reembolsos",
    phone: "Tel.",
    issued: "Emitido el {date}",
    page: "Página {n} de {total}",
    receipt_of: "Recibo {reference}",
    email_intro: "Gracias por su pago. Tiene el recibo a continuación y adjunto en PDF.",
    months: ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"],
    statuses: StatusWords {
        draft: "No enviado",
        submitting: "Enviándose",
        paid: "Pagado",
        ticketing: "Pagado — emitiendo los billetes",
        ticketed: "Pagado — billetes emitidos",
        ticketing_failed: "Pagado — no se pudieron emitir los billetes",
        declined: "Rechazado — no se cobró nada",
        unclear: "Confirmándose con el proveedor",
        refunded: "Reembolsado",
    },
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::{Currency, Sign};

    fn money(text: &str, code: &str) -> Money {
        Money::parse_major(text, Currency::from_code(code).unwrap(), Sign::NonNegative).unwrap()
    }

    #[test]
    fn amounts_are_grouped_as_each_language_groups() {
        assert_eq!(Locale::En.money(money("250000", "COP")), "250,000.00 COP");
        assert_eq!(Locale::Es.money(money("250000", "COP")), "250.000,00 COP");
        assert_eq!(Locale::En.money(money("1234.5", "USD")), "1,234.50 USD");
        assert_eq!(Locale::Es.money(money("1234.5", "USD")), "1234,50 USD");
        assert_eq!(Locale::En.money(money("114.99", "USD")), "114.99 USD");
        assert_eq!(Locale::Es.money(money("1234567", "JPY")), "1.234.567 JPY");
        assert_eq!(Locale::En.money(money("1.234", "KWD")), "1.234 KWD");
    }

    #[test]
    fn rates_times_and_statuses_are_said_in_the_language() {
        assert_eq!(Locale::En.percent("0.19").as_deref(), Some("19 %"));
        assert_eq!(Locale::Es.percent("0.195").as_deref(), Some("19,5 %"));
        assert_eq!(Locale::En.percent("x"), None);
        // 2026-11-20T14:03:07Z at UTC+1, and at UTC-5 the day before's evening.
        let at = 1_795_183_387_000;
        assert_eq!(Locale::En.date_time(at, 60), "20 Nov 2026, 15:03 (UTC+01:00)");
        assert_eq!(Locale::Es.date_time(at, -300), "20 nov 2026, 09:03 (UTC-05:00)");
        assert_eq!(Locale::Es.date_time(at - 15 * 3_600_000, -300), "19 nov 2026, 18:03 (UTC-05:00)");
        assert_eq!(EN.status(Status::NeedsReview), EN.status(Status::Unknown));
        assert_eq!(ES.status(Status::Paid), "Pagado");
        assert_eq!("es".parse::<Locale>(), Ok(Locale::Es));
        assert!("fr".parse::<Locale>().is_err());
    }
}
