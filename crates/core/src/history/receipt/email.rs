//! A receipt as an email to the customer: the receipt in plain text and in HTML, with its PDF
//! attached, from the business's own address. Sent by `smtp::send`. It carries what the receipt
//! carries and nothing more, so no card data can be in it: the receipt has none beyond the brand
//! and last four.

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{Address, Message};

use super::{Receipt, ReceiptLine, ReceiptTable};
use crate::business::Business;
use crate::codes::{CodedError, ErrorCode};
use crate::smtp::Smtp;

/// Why the message could not be made: the address typed for the customer, or the business's.
#[derive(Debug, thiserror::Error)]
pub enum EmailError {
    /// The customer's address; the refusal says what to fix, by code.
    #[error("{}", .0.english())]
    To(CodedError),
    #[error("the message could not be made: {0}")]
    Build(String),
}

impl EmailError {
    pub fn coded(&self) -> CodedError {
        match self {
            EmailError::To(coded) => coded.clone(),
            EmailError::Build(reason) => CodedError::new(ErrorCode::Internal).with("reason", reason),
        }
    }
}

/// The Content-ID the HTML body shows the logo by.
const LOGO_CID: &str = "logo@receipt";

/// The customer's address as typed, checked.
pub fn recipient(to: &str) -> Result<Address, EmailError> {
    to.trim()
        .parse::<Address>()
        .map_err(|_| EmailError::To(CodedError::new(ErrorCode::EmailFormat).with("value", to.trim())))
}

/// The message for `to`, from the business's sender address (its replies to the business's own
/// email, where one is set), with `pdf` attached under the receipt's file name.
pub fn message(
    receipt: &Receipt,
    smtp: &Smtp,
    business: &Business,
    to: &str,
    pdf: Vec<u8>,
) -> Result<Message, EmailError> {
    let to = recipient(to)?;
    let from_address: Address =
        smtp.from.parse().map_err(|e| EmailError::Build(format!("the sender's address: {e}")))?;
    let name = receipt.issuer.as_ref().map(|i| i.name.clone());
    let mut builder = Message::builder()
        .from(Mailbox::new(name.clone(), from_address))
        .to(Mailbox::new(None, to))
        .subject(&receipt.subject);
    if let Ok(reply) = business.email.parse::<Address>() {
        builder = builder.reply_to(Mailbox::new(name, reply));
    }
    let pdf_type = ContentType::parse("application/pdf").expect("a known type");
    let html_part = SinglePart::html(html(receipt));
    // The logo goes inside the message, named by its Content-ID, as mail programs show one.
    let rich = match receipt.issuer.as_ref().and_then(|i| i.logo.as_ref()) {
        None => MultiPart::alternative().singlepart(SinglePart::plain(plain(receipt))).singlepart(html_part),
        Some(logo) => {
            let kind = ContentType::parse(logo.kind().mime()).expect("a known type");
            let inline = Attachment::new_inline(LOGO_CID.to_string()).body(logo.bytes().to_vec(), kind);
            MultiPart::alternative()
                .singlepart(SinglePart::plain(plain(receipt)))
                .multipart(MultiPart::related().singlepart(html_part).singlepart(inline))
        }
    };
    let body = MultiPart::mixed()
        .multipart(rich)
        .singlepart(Attachment::new(receipt.file_name.clone()).body(pdf, pdf_type));
    builder.multipart(body).map_err(|e| EmailError::Build(e.to_string()))
}

fn plain_lines(out: &mut String, lines: &[ReceiptLine]) {
    for line in lines {
        out.push_str(&format!("{}: {}\n", line.label, line.value));
    }
}

fn plain_table(out: &mut String, table: &Option<ReceiptTable>) {
    if let Some(table) = table {
        out.push_str(&format!("\n{}\n", table.heading));
        for row in &table.rows {
            out.push_str(&format!("  {}\n", row.join(" · ")));
        }
    }
}

/// The receipt as plain text, for mail programs that show no HTML.
fn plain(r: &Receipt) -> String {
    let w = r.locale.words();
    let mut out = format!("{}\n\n", w.email_intro);
    if let Some(issuer) = &r.issuer {
        out.push_str(&format!("{}\n", issuer.name));
        for line in &issuer.lines {
            out.push_str(&format!("{line}\n"));
        }
        out.push('\n');
    }
    out.push_str(&format!("{} — {}\n", r.title, r.reference));
    if let Some(test) = &r.test {
        out.push_str(&format!("{test}\n"));
    }
    out.push_str(&format!("\n{}: {}\n{}: {}\n\n", r.amount_label, r.amount_text, w.status, r.status_text));
    plain_lines(&mut out, &r.facts);
    if !r.paid_for.is_empty() {
        out.push_str(&format!("\n{}\n", r.paid_for_heading));
        plain_lines(&mut out, &r.paid_for);
    }
    if !r.totals.is_empty() {
        out.push('\n');
        plain_lines(&mut out, &r.totals);
    }
    plain_table(&mut out, &r.tickets);
    plain_table(&mut out, &r.refunds);
    out.push_str(&format!("\n{}\n", r.issued));
    out
}

/// Text made safe to stand in HTML.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn html_lines(out: &mut String, lines: &[ReceiptLine]) {
    out.push_str("<table role=\"presentation\" style=\"border-collapse:collapse;font-size:14px\">");
    for line in lines {
        out.push_str(&format!(
            "<tr><td style=\"color:#58606c;padding:2px 16px 2px 0\">{}</td><td style=\"padding:2px 0\">{}</td></tr>",
            esc(&line.label),
            esc(&line.value)
        ));
    }
    out.push_str("</table>");
}

fn html_table(out: &mut String, table: &Option<ReceiptTable>) {
    let Some(table) = table else { return };
    out.push_str(&format!("<h3 style=\"font-size:15px;margin:20px 0 6px\">{}</h3>", esc(&table.heading)));
    out.push_str("<table style=\"border-collapse:collapse;font-size:14px\"><tr>");
    for column in &table.columns {
        out.push_str(&format!(
            "<th style=\"text-align:left;color:#58606c;padding:2px 16px 2px 0\">{}</th>",
            esc(column)
        ));
    }
    out.push_str("</tr>");
    for row in &table.rows {
        out.push_str("<tr>");
        for cell in row {
            out.push_str(&format!("<td style=\"padding:2px 16px 2px 0\">{}</td>", esc(cell)));
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>");
}

/// The receipt as HTML: plain markup and inline styles, as mail programs read them.
fn html(r: &Receipt) -> String {
    let w = r.locale.words();
    let mut out = format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title></head>\
         <body style=\"font-family:Arial,Helvetica,sans-serif;color:#1c2128;margin:0;padding:24px\">\
         <p>{}</p>",
        r.locale.as_str(),
        esc(&r.subject),
        esc(w.email_intro)
    );
    if let Some(issuer) = &r.issuer {
        if let Some(logo) = &issuer.logo {
            let (width, height) = logo.size();
            // Shown at most 150 × 64 px, in its own proportions.
            let scale = (150.0 / width as f32).min(64.0 / height as f32).min(1.0);
            out.push_str(&format!(
                "<p style=\"margin:16px 0 0\"><img src=\"cid:{LOGO_CID}\" alt=\"{}\" width=\"{}\" height=\"{}\"></p>",
                esc(&issuer.name),
                (width as f32 * scale).round(),
                (height as f32 * scale).round()
            ));
        }
        out.push_str(&format!(
            "<p style=\"margin:16px 0\"><strong style=\"font-size:16px\">{}</strong>",
            esc(&issuer.name)
        ));
        for line in &issuer.lines {
            out.push_str(&format!("<br><span style=\"color:#58606c\">{}</span>", esc(line)));
        }
        out.push_str("</p>");
    }
    out.push_str(&format!(
        "<h2 style=\"font-size:19px;margin:16px 0 4px\">{} · {}</h2>",
        esc(&r.title),
        esc(&r.reference)
    ));
    if let Some(test) = &r.test {
        out.push_str(&format!(
            "<p style=\"background:#ffecb3;color:#663c00;padding:8px 10px;font-weight:bold\">{}</p>",
            esc(test)
        ));
    }
    out.push_str(&format!(
        "<p style=\"margin:12px 0\"><span style=\"color:#58606c\">{}</span><br>\
         <strong style=\"font-size:26px\">{}</strong><br>{}</p>",
        esc(&r.amount_label),
        esc(&r.amount_text),
        esc(&r.status_text)
    ));
    html_lines(&mut out, &r.facts);
    if !r.paid_for.is_empty() {
        out.push_str(&format!(
            "<h3 style=\"font-size:15px;margin:20px 0 6px\">{}</h3>",
            esc(&r.paid_for_heading)
        ));
        html_lines(&mut out, &r.paid_for);
    }
    if !r.totals.is_empty() {
        out.push_str("<hr style=\"border:0;border-top:1px solid #cdd2d8;margin:16px 0\">");
        html_lines(&mut out, &r.totals);
    }
    html_table(&mut out, &r.tickets);
    html_table(&mut out, &r.refunds);
    out.push_str(&format!(
        "<p style=\"color:#58606c;font-size:12px;margin-top:24px\">{}</p></body></html>",
        esc(&r.issued)
    ));
    out
}
