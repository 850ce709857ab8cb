//! One write transaction's statements, on a sqlx transaction (PostgreSQL, and SQLite
//! outside the ingest path) or on the SQLite writer thread's connection (`sqlite_write`).
//! Ingest's transaction is written once against this and runs on either.
use rusqlite::types::{FromSql, Value as LiteValue};
use sea_orm::{
    ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, QueryResult, Statement, TryGetable,
    Value,
};

/// What ingest's transaction needs of a driver. Two implementations (not an enum): a
/// rusqlite connection is not `Sync`, and a future that could hold one would not be `Send`.
pub(crate) trait Tx {
    fn backend(&self) -> DbBackend;
    /// A write statement; returns rows affected.
    async fn exec(&self, sql: &str, values: Vec<Value>) -> Result<u64, DbErr>;
    /// At most one row.
    async fn one<R: Row>(&self, sql: &str, values: Vec<Value>) -> Result<Option<R>, DbErr>;
    /// Every row.
    async fn all<R: Row>(&self, sql: &str, values: Vec<Value>) -> Result<Vec<R>, DbErr>;
    /// Exactly one row.
    async fn one_req<R: Row>(&self, sql: &str, values: Vec<Value>) -> Result<R, DbErr> {
        self.one(sql, values)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound(sql.to_string()))
    }
}

pub(crate) struct SqlxTx<'t>(pub &'t DatabaseTransaction, pub DbBackend);
pub(crate) struct LiteTx<'t>(pub &'t rusqlite::Connection);

/// A result row read by column position on either driver.
pub(crate) trait Row: Sized {
    fn from_sqlx(r: &QueryResult) -> Result<Self, DbErr>;
    fn from_lite(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self>;
}

macro_rules! tuple_row {
    ($($t:ident $i:tt),+) => {
        impl<$($t: TryGetable + FromSql),+> Row for ($($t,)+) {
            fn from_sqlx(r: &QueryResult) -> Result<Self, DbErr> {
                Ok(($(r.try_get_by_index::<$t>($i)?,)+))
            }
            fn from_lite(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
                Ok(($(r.get::<_, $t>($i)?,)+))
            }
        }
    };
}
tuple_row!(A 0);
tuple_row!(A 0, B 1);
tuple_row!(A 0, B 1, C 2);
tuple_row!(A 0, B 1, C 2, D 3);
tuple_row!(A 0, B 1, C 2, D 3, E 4);
tuple_row!(A 0, B 1, C 2, D 3, E 4, F 5);
tuple_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
tuple_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
tuple_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8);

pub(crate) fn lite_err(e: rusqlite::Error) -> DbErr {
    DbErr::Custom(format!("sqlite: {e}"))
}

/// A bound value for rusqlite. `$N` placeholders are SQLite named parameters numbered in
/// order of first appearance, so binding by position matches them (statements list them in
/// ascending order).
fn lite_value(v: Value) -> Result<LiteValue, DbErr> {
    Ok(match v {
        Value::Bool(b) => b.map_or(LiteValue::Null, |b| LiteValue::Integer(b as i64)),
        Value::SmallInt(i) => i.map_or(LiteValue::Null, |i| LiteValue::Integer(i as i64)),
        Value::Int(i) => i.map_or(LiteValue::Null, |i| LiteValue::Integer(i as i64)),
        Value::BigInt(i) => i.map_or(LiteValue::Null, LiteValue::Integer),
        Value::Unsigned(i) => i.map_or(LiteValue::Null, |i| LiteValue::Integer(i as i64)),
        Value::Double(f) => f.map_or(LiteValue::Null, LiteValue::Real),
        Value::String(s) => s.map_or(LiteValue::Null, LiteValue::Text),
        other => return Err(DbErr::Custom(format!("unsupported SQLite value {other:?}"))),
    })
}

pub(crate) fn lite_params(values: Vec<Value>) -> Result<Vec<LiteValue>, DbErr> {
    values.into_iter().map(lite_value).collect()
}

impl Tx for SqlxTx<'_> {
    fn backend(&self) -> DbBackend {
        self.1
    }

    async fn exec(&self, sql: &str, values: Vec<Value>) -> Result<u64, DbErr> {
        Ok(self
            .0
            .execute_raw(self.stmt(sql, values))
            .await?
            .rows_affected())
    }

    async fn one<R: Row>(&self, sql: &str, values: Vec<Value>) -> Result<Option<R>, DbErr> {
        match self.0.query_one_raw(self.stmt(sql, values)).await? {
            Some(row) => Ok(Some(R::from_sqlx(&row)?)),
            None => Ok(None),
        }
    }

    async fn all<R: Row>(&self, sql: &str, values: Vec<Value>) -> Result<Vec<R>, DbErr> {
        let rows = self.0.query_all_raw(self.stmt(sql, values)).await?;
        rows.iter().map(R::from_sqlx).collect()
    }
}

impl SqlxTx<'_> {
    fn stmt(&self, sql: &str, values: Vec<Value>) -> Statement {
        Statement::from_sql_and_values(self.1, sql, values)
    }
}

/// Every method completes synchronously: the futures are ready at their first poll.
impl Tx for LiteTx<'_> {
    fn backend(&self) -> DbBackend {
        DbBackend::Sqlite
    }

    async fn exec(&self, sql: &str, values: Vec<Value>) -> Result<u64, DbErr> {
        let params = lite_params(values)?;
        let mut stmt = self.0.prepare_cached(sql).map_err(lite_err)?;
        let n = stmt
            .execute(rusqlite::params_from_iter(params.iter()))
            .map_err(lite_err)?;
        Ok(n as u64)
    }

    async fn one<R: Row>(&self, sql: &str, values: Vec<Value>) -> Result<Option<R>, DbErr> {
        let params = lite_params(values)?;
        let mut stmt = self.0.prepare_cached(sql).map_err(lite_err)?;
        let mut rows = stmt
            .query(rusqlite::params_from_iter(params.iter()))
            .map_err(lite_err)?;
        match rows.next().map_err(lite_err)? {
            Some(row) => Ok(Some(R::from_lite(row).map_err(lite_err)?)),
            None => Ok(None),
        }
    }

    async fn all<R: Row>(&self, sql: &str, values: Vec<Value>) -> Result<Vec<R>, DbErr> {
        let params = lite_params(values)?;
        let mut stmt = self.0.prepare_cached(sql).map_err(lite_err)?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(params.iter()), |r| {
                R::from_lite(r)
            })
            .map_err(lite_err)?;
        rows.collect::<Result<Vec<R>, _>>().map_err(lite_err)
    }
}
