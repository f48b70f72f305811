//! Money as text: the one place amounts are rounded to the cent and written out, for the
//! JSON contract (`80000.00`), for people (`80 000,00 €`) and for the Excel CSV (`80000,00`).

use rust_decimal::Decimal;

/// Rounds to the cent, half away from zero (as accountants do, not banker's rounding).
pub fn round_cents(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

/// `"80000.00"`: exactly two decimals and a dot, as the JSON contract says.
pub fn amount_text(amount: Decimal) -> String {
    format!("{:.2}", round_cents(amount))
}

/// `"80000,00"`: two decimals and a decimal comma, as a French Excel reads a CSV cell.
pub fn amount_text_fr(amount: Decimal) -> String {
    amount_text(amount).replace('.', ",")
}

/// `12345.6` -> `12 345,60 €` (narrow no-break space for thousands).
pub fn euros(amount: Decimal) -> String {
    let rounded = round_cents(amount);
    let negative = rounded.is_sign_negative() && !rounded.is_zero();
    let text = format!("{:.2}", rounded.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, "00"));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push('\u{202f}');
        }
        grouped.push(c);
    }
    format!("{}{grouped},{frac}\u{a0}€", if negative { "-" } else { "" })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn amounts_have_two_decimals_and_a_dot() {
        assert_eq!(amount_text(dec!(80000)), "80000.00");
        assert_eq!(amount_text(dec!(-12.5)), "-12.50");
        assert_eq!(amount_text(dec!(0.005)), "0.01");
        assert_eq!(amount_text(dec!(0)), "0.00");
        assert_eq!(amount_text_fr(dec!(-12.5)), "-12,50");
    }

    #[test]
    fn euros_are_written_the_french_way() {
        assert_eq!(euros(dec!(80000)), "80\u{202f}000,00\u{a0}€");
        assert_eq!(
            euros(dec!(-1234567.891)),
            "-1\u{202f}234\u{202f}567,89\u{a0}€"
        );
        assert_eq!(euros(dec!(0.5)), "0,50\u{a0}€");
    }
}
