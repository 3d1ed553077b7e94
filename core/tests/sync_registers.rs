//! Last writer wins per register, on the device that wrote last too: a local write of a
//! workspace setting or of four eyes takes its register, so another device's older write
//! that arrives later does not overwrite it here (while every other device keeps the
//! newer one, and the devices would disagree for good).

use plumbline_core::settings::{save_branding, BrandingUpdate, LogoChange};
use plumbline_core::store::Store;
use plumbline_core::sync::api::Sequenced;

async fn store(dir: &std::path::Path, name: &str) -> Store {
    Store::open(&dir.join(format!("{name}.db")))
        .await
        .expect("store")
        .with_actor(format!("{name}@example.com"))
}

/// The device's pending operations as the server would hand them to others.
async fn log_of(store: &Store, first_seq: i64) -> Vec<Sequenced> {
    store
        .outbox(1_000)
        .await
        .expect("outbox")
        .into_iter()
        .enumerate()
        .map(|(i, op)| Sequenced {
            seq: first_seq + i as i64,
            user_id: "someone".to_owned(),
            operation: op.operation,
        })
        .collect()
}

fn branding(name: &str) -> BrandingUpdate {
    BrandingUpdate {
        msp_name: name.to_owned(),
        accent_colour: "#0F6CBD".to_owned(),
        logo: LogoChange::Keep,
    }
}

#[tokio::test]
async fn an_older_write_arriving_later_does_not_overwrite_a_newer_local_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = store(dir.path(), "a").await;
    let b = store(dir.path(), "b").await;

    // A writes first, B later; B has not seen A's writes yet.
    a.set_four_eyes(true).await.expect("four eyes on a");
    save_branding(&a, &branding("Older MSP")).await.expect("a");
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    b.set_four_eyes(true).await.expect("four eyes on b");
    b.set_four_eyes(false).await.expect("four eyes off b");
    save_branding(&b, &branding("Newer MSP")).await.expect("b");

    // A's older writes reach B: B keeps its own, newer ones.
    let from_a = log_of(&a, 1).await;
    assert!(!from_a.is_empty());
    b.apply_operations(&from_a, None).await.expect("apply");
    assert!(
        !b.four_eyes().await.expect("four eyes"),
        "B's later 'off' stands"
    );
    assert_eq!(
        b.report_settings().await.expect("settings").msp_name,
        "Newer MSP"
    );

    // B's newer writes reach A: A takes them. Both agree.
    let from_b = log_of(&b, 100).await;
    a.apply_operations(&from_b, None).await.expect("apply");
    assert!(!a.four_eyes().await.expect("four eyes"));
    assert_eq!(
        a.report_settings().await.expect("settings").msp_name,
        "Newer MSP"
    );
}
