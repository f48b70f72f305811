use super::*;
use proptest::prelude::*;
use rust_decimal_macros::dec;

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, m, d).unwrap()
}

fn order(
    id: &str,
    ej: Option<&str>,
    supplier: &str,
    siret: Option<&str>,
    amount: Decimal,
    date: NaiveDate,
) -> Order {
    Order {
        id: id.into(),
        ej: ej.map(Into::into),
        market: "M".into(),
        nature: "n".into(),
        product: 0,
        supplier: supplier.into(),
        siret: siret.map(Into::into),
        amount,
        date,
        row: 2,
    }
}

fn poste(
    ej: &str,
    n: &str,
    supplier: &str,
    siret: Option<&str>,
    amount: Decimal,
    date: NaiveDate,
) -> Poste {
    Poste {
        ej: ej.into(),
        poste: Some(n.into()),
        amount,
        date: Some(date),
        supplier: Some(supplier.into()),
        siret: siret.map(Into::into),
        first_line: 0,
    }
}

const W: Window = Window {
    tolerance: dec!(5.00),
    days: 30,
};

/// A group as ids: its orders, its (EJ, poste)s, how.
type Shape = (Vec<String>, Vec<(String, String)>, How);

/// (order ids, (EJ, poste)s, how) of each group, sorted: what a match is, whatever the
/// order of either side.
fn shape(orders: &[Order], postes: &[Poste], m: &Matched) -> Vec<Shape> {
    let mut out: Vec<_> = (m.groups.iter())
        .map(|g| {
            let mut o: Vec<String> = g.orders.iter().map(|&i| orders[i].id.clone()).collect();
            o.sort();
            let mut p: Vec<(String, String)> = (g.postes.iter())
                .map(|&i| {
                    (
                        postes[i].ej.to_string(),
                        postes[i].poste.clone().unwrap_or_default().to_string(),
                    )
                })
                .collect();
            p.sort();
            (o, p, g.how)
        })
        .collect();
    out.sort();
    out
}

/// The fixture's case (LISEZMOI section 2), worked by hand.
#[test]
fn every_match_kind_of_the_fixture() {
    let postes = vec![
        poste(
            "2100005001",
            "1",
            "OCTO TECHNOLOGY",
            Some("41835014800029"),
            dec!(40000),
            day(1, 15),
        ),
        poste(
            "2100005002",
            "1",
            "BETA CONSULTING SAS",
            Some("80012345600018"),
            dec!(12000),
            day(3, 10),
        ),
        poste(
            "2100005003",
            "1",
            "OCTO TECHNOLOGY",
            Some("41835014800029"),
            dec!(30000),
            day(2, 5),
        ),
        poste(
            "2100005003",
            "2",
            "OCTO TECHNOLOGY",
            Some("41835014800029"),
            dec!(10000),
            day(2, 5),
        ),
        poste(
            "2100005004",
            "1",
            "HEBERGEUR SOUVERAIN",
            Some("42345678900033"),
            dec!(24000),
            day(4, 1),
        ),
        poste(
            "2100005005",
            "1",
            "LES \"COACHS\" ASSOCIES",
            Some("51234567800021"),
            dec!(9000),
            day(9, 2),
        ),
        poste(
            "2100005006",
            "1",
            "HEBERGEUR SOUVERAIN",
            Some("42345678900033"),
            dec!(6000),
            day(10, 20),
        ),
        poste(
            "2100005007",
            "1",
            "BETA CONSULTING SAS",
            Some("80012345600018"),
            dec!(5000),
            day(11, 16),
        ),
    ];
    let octo = Some("41835014800029");
    let heb = Some("42345678900033");
    let orders = vec![
        order(
            "BC-01",
            Some("2100005001"),
            "OCTO TECHNOLOGY",
            octo,
            dec!(40000),
            day(1, 15),
        ),
        order(
            "BC-02",
            Some("2100005002"),
            "BETA CONSULTING SAS",
            None,
            dec!(12500),
            day(3, 10),
        ),
        order(
            "BC-03",
            Some("2100005003"),
            "OCTO TECHNOLOGY",
            octo,
            dec!(40000),
            day(2, 5),
        ),
        order(
            "BC-04",
            Some("2100005004"),
            "HEBERGEUR SOUVERAIN",
            heb,
            dec!(14000),
            day(4, 1),
        ),
        order(
            "BC-05",
            Some("2100005004"),
            "HEBERGEUR SOUVERAIN",
            heb,
            dec!(10000),
            day(4, 1),
        ),
        order(
            "BC-06",
            None,
            "LES \"COACHS\" ASSOCIES",
            Some("51234567800021"),
            dec!(9000),
            day(8, 20),
        ),
        order(
            "BC-07",
            None,
            "Hébergeur souverain",
            heb,
            dec!(6002.40),
            day(10, 10),
        ),
        order(
            "BC-08",
            None,
            "OCTO TECHNOLOGY",
            octo,
            dec!(7500),
            day(12, 1),
        ),
    ];
    let m = match_orders(&orders, &postes, W);
    let differences: Vec<Decimal> = m.groups.iter().map(Group::difference).collect();
    // By EJ: 01, 02 (+500), 03 (1:N), 04+05 (N:1); then by supplier: 06, 07 (+2.40).
    assert_eq!(
        differences,
        [dec!(0), dec!(500), dec!(0), dec!(0), dec!(0), dec!(2.40)]
    );
    assert_eq!(m.groups[2].postes, [2, 3]);
    assert_eq!(m.groups[3].orders, [3, 4]);
    assert_eq!(m.groups[4].how, How::SupplierAmountDate);
    assert_eq!(
        (m.groups[5].orders.as_slice(), m.groups[5].postes.as_slice()),
        (&[6][..], &[6][..])
    );
    assert_eq!(
        m.group_of_order[7], None,
        "BC-08: no EJ of OCTO at 7 500 ± 5"
    );
    assert_eq!(m.group_of_poste[7], None, "2100005007: no order");
}

#[test]
fn the_siret_decides_when_both_sides_carry_one_else_the_name() {
    let postes = vec![
        poste(
            "2100000001",
            "1",
            "ACME",
            Some("11111111111111"),
            dec!(100),
            day(5, 1),
        ),
        poste("2100000002", "1", "ACME", None, dec!(100), day(5, 1)),
    ];
    // Same name, another SIRET: only the poste without SIRET can match by name.
    let o = [order(
        "A",
        None,
        "acmé",
        Some("22222222222222"),
        dec!(100),
        day(5, 1),
    )];
    let m = match_orders(&o, &postes, W);
    assert_eq!(m.groups[0].postes, [1]);
    // Same SIRET, another name: matched by SIRET, the name does not matter.
    let o = [order(
        "A",
        None,
        "Other",
        Some("11111111111111"),
        dec!(100),
        day(5, 1),
    )];
    assert_eq!(match_orders(&o, &postes, W).groups[0].postes, [0]);
}

#[test]
fn limits_of_tolerance_and_window_are_inclusive() {
    let postes = vec![poste("2100000001", "1", "X", None, dec!(100), day(5, 1))];
    let cases = [
        (dec!(105.00), day(5, 31), true),
        (dec!(105.01), day(5, 1), false),
        (dec!(94.99), day(5, 1), false),
        (dec!(100), day(6, 1), false),
        (dec!(100), day(4, 1), true),
    ];
    for (amount, date, matched) in cases {
        let o = [order("A", None, "X", None, amount, date)];
        assert_eq!(
            !match_orders(&o, &postes, W).groups.is_empty(),
            matched,
            "{amount} {date}"
        );
    }
}

#[test]
fn the_closest_pair_wins_whichever_comes_first() {
    // Two orders want the same poste: the one with the smaller amount gap takes it; the
    // other falls back to the remaining poste.
    let postes = vec![
        poste("2100000001", "1", "X", None, dec!(100), day(5, 1)),
        poste("2100000002", "1", "X", None, dec!(103), day(5, 1)),
    ];
    let orders = vec![
        order("A", None, "X", None, dec!(101), day(5, 1)),
        order("B", None, "X", None, dec!(100), day(5, 1)),
    ];
    let m = match_orders(&orders, &postes, W);
    assert_eq!(m.group_of_order, [Some(1), Some(0)]);
    assert_eq!(m.groups[0].orders, [1], "B (gap 0) takes 2100000001");
    assert_eq!(m.groups[1].orders, [0], "A takes 2100000002 (gap 2)");
}

#[test]
fn an_order_naming_an_ej_outside_the_scope_is_matched_by_supplier() {
    let postes = vec![poste("2100000001", "1", "X", None, dec!(100), day(5, 1))];
    let o = [order(
        "A",
        Some("2100009999"),
        "X",
        None,
        dec!(100),
        day(5, 1),
    )];
    let m = match_orders(&o, &postes, W);
    assert_eq!(m.groups[0].how, How::SupplierAmountDate);
}

fn arbitrary_sides() -> impl Strategy<Value = (Vec<Order>, Vec<Poste>)> {
    let poste_s =
        (0u8..6, 1u8..3, 0u8..3, 0i64..400, 0u32..60).prop_map(|(ej, n, s, amount, d)| {
            let supplier = ["A", "B", "C"][s as usize];
            let siret = (s != 2).then(|| format!("{:014}", s));
            poste(
                &format!("21000000{ej:02}"),
                &n.to_string(),
                supplier,
                siret.as_deref(),
                Decimal::new(amount * 50, 2),
                day(1, 1) + chrono::Days::new(u64::from(d)),
            )
        });
    let order_s = (0u8..8, 0u8..3, any::<bool>(), 0i64..400, 0u32..60).prop_map(
        |(ej, s, with_siret, amount, d)| {
            let supplier = ["a", "b", "c"][s as usize];
            let siret = with_siret.then(|| format!("{:014}", s));
            let ej = (ej < 6).then(|| format!("21000000{ej:02}"));
            (
                ej,
                supplier,
                siret,
                Decimal::new(amount * 50, 2),
                day(1, 1) + chrono::Days::new(u64::from(d)),
            )
        },
    );
    (
        proptest::collection::vec(order_s, 0..12),
        proptest::collection::vec(poste_s, 0..12),
    )
        .prop_map(|(orders, mut postes)| {
            let orders = (orders.into_iter().enumerate())
                .map(|(i, (ej, s, siret, a, d))| {
                    // Half the orders name an EJ.
                    let ej = ej.filter(|_| i % 2 == 0);
                    order(
                        &format!("BC-{i:02}"),
                        ej.as_deref(),
                        s,
                        siret.as_deref(),
                        a,
                        d,
                    )
                })
                .collect();
            postes.sort_by(|a, b| (&a.ej, &a.poste).cmp(&(&b.ej, &b.poste)));
            postes.dedup_by(|a, b| a.ej == b.ej && a.poste == b.poste);
            (orders, postes)
        })
}

/// Fisher–Yates driven by an xorshift: a shuffle proptest can shrink through its seed.
fn shuffle<T>(items: &mut [T], state: &mut u64) {
    for i in (1..items.len()).rev() {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        items.swap(i, (*state % (i as u64 + 1)) as usize);
    }
}

proptest! {
    /// Shuffling either side changes no match.
    #[test]
    fn shuffling_either_side_changes_nothing(
        (orders, postes) in arbitrary_sides(),
        seed in any::<u64>(),
    ) {
        let window = Window { tolerance: dec!(2.00), days: 10 };
        let expected = shape(&orders, &postes, &match_orders(&orders, &postes, window));
        let (mut o2, mut p2) = (orders.clone(), postes.clone());
        let mut state = seed | 1;
        shuffle(&mut o2, &mut state);
        shuffle(&mut p2, &mut state);
        prop_assert_eq!(shape(&o2, &p2, &match_orders(&o2, &p2, window)), expected);
    }
}
