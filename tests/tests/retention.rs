//! Retention through real servers on both databases: `--retention-days N` deletes sessions
//! last seen more than N days ago with their events and requests, keeps the others, and the
//! stats of the purged sessions survive in the roll-ups.
use std::time::Duration;

use botect_tests::{
    Server, TestDb, both_dbs, eventually, fail_open, http, human_session, scored_verdict,
    serde_json, sql_count, sql_exec, tenant, verdict,
};
use serde_json::Value;

const DAY_MS: i64 = 86_400_000;

async fn stats_totals(server: &Server, token: &str, project: i64) -> Value {
    let s: Value = http()
        .get(server.url(&format!("/v1/projects/{project}/stats?bucket=day")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sum =
        |f: &dyn Fn(&Value) -> u64| -> u64 { s["buckets"].as_array().unwrap().iter().map(f).sum() };
    serde_json::json!({
        "likely_human": sum(&|b| b["sessions"]["likely_human"].as_u64().unwrap()),
        "events": sum(&|b| b["events"].as_u64().unwrap()),
    })
}

async fn old_sessions_are_purged_and_their_stats_kept(db: TestDb) {
    let a = Server::start(&db).await;
    let t = tenant(&db, &a, "Retention").await;
    let old = [
        human_session(&a, &t.site_key).await,
        human_session(&a, &t.site_key).await,
    ];
    let recent = human_session(&a, &t.site_key).await;
    for s in old.iter().chain([&recent]) {
        scored_verdict(&a, &t.private_key, s).await;
    }
    let before = stats_totals(&a, &t.token, t.project).await;
    assert_eq!(before["likely_human"], 3, "{before}");
    drop(a);

    // Two sessions last seen 40 days ago, one 20 days ago.
    let list = old
        .iter()
        .map(|s| format!("'{s}'"))
        .collect::<Vec<_>>()
        .join(", ");
    assert_eq!(
        sql_exec(
            &db,
            &format!(
                "UPDATE sessions SET updated_at = updated_at - {} WHERE token IN ({list})",
                40 * DAY_MS
            )
        )
        .await,
        2
    );
    sql_exec(
        &db,
        &format!(
            "UPDATE sessions SET updated_at = updated_at - {} WHERE token = '{recent}'",
            20 * DAY_MS
        ),
    )
    .await;
    let events_before = sql_count(&db, "SELECT COUNT(*) AS n FROM events").await;

    let b = Server::start_with(&db, &["--retention-days", "30"]).await;
    eventually(
        Duration::from_secs(20),
        botect_tests::POLL,
        "the purge",
        || async {
            match sql_count(&db, "SELECT COUNT(*) AS n FROM sessions").await {
                1 => Ok(()),
                n => Err(n),
            }
        },
    )
    .await;
    assert_eq!(
        sql_count(
            &db,
            &format!("SELECT COUNT(*) AS n FROM sessions WHERE token = '{recent}'")
        )
        .await,
        1
    );
    // Their events and requests went with them (3 events and 1 request per session).
    assert_eq!(
        sql_count(&db, "SELECT COUNT(*) AS n FROM events").await,
        events_before - 6
    );
    assert_eq!(
        sql_count(&db, "SELECT COUNT(*) AS n FROM ingest_requests").await,
        1
    );
    for s in &old {
        assert_eq!(verdict(&b, &t.private_key, s).await.1, fail_open());
    }
    assert_eq!(
        verdict(&b, &t.private_key, &recent).await.1["verdict"],
        "likely_human"
    );
    // The stats still count them.
    assert_eq!(stats_totals(&b, &t.token, t.project).await, before);
}

async fn zero_keeps_everything(db: TestDb) {
    let a = Server::start(&db).await;
    let t = tenant(&db, &a, "Keep").await;
    let s = human_session(&a, &t.site_key).await;
    scored_verdict(&a, &t.private_key, &s).await;
    drop(a);
    sql_exec(
        &db,
        &format!(
            "UPDATE sessions SET updated_at = updated_at - {}",
            4000 * DAY_MS
        ),
    )
    .await;
    let b = Server::start_with(&db, &["--retention-days", "0"]).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        sql_count(&db, "SELECT COUNT(*) AS n FROM sessions").await,
        1
    );
    assert_eq!(
        verdict(&b, &t.private_key, &s).await.1["verdict"],
        "likely_human"
    );
}

both_dbs!(
    old_sessions_are_purged_and_their_stats_kept,
    zero_keeps_everything
);
