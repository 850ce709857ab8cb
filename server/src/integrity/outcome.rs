//! What a batch's `integrity` object turned out to be, as stored per ingest request
//! (`ingest_requests.integrity`) and read by the evidence gate.

/// The stored codes are part of the schema (migration m0005): never renumber.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// The request carried no `integrity` object.
    Absent,
    /// A valid proof, redeemed by this session.
    Valid,
    /// Not a challenge this server issued, or altered (bad encoding or signature).
    Tampered,
    /// Redeemed after its expiry.
    Expired,
    /// Issued for another project.
    ForeignProject,
    /// Issued to another client (address prefix or user agent differ).
    OtherClient,
    /// The nonce does not solve the challenge.
    Unsolved,
    /// Already redeemed by another session.
    Reused,
}

impl Outcome {
    pub const INVALID: [Outcome; 6] = [
        Outcome::Tampered,
        Outcome::Expired,
        Outcome::ForeignProject,
        Outcome::OtherClient,
        Outcome::Unsolved,
        Outcome::Reused,
    ];

    pub fn code(self) -> i16 {
        match self {
            Outcome::Absent => 0,
            Outcome::Valid => 1,
            Outcome::Tampered => 2,
            Outcome::Expired => 3,
            Outcome::ForeignProject => 4,
            Outcome::OtherClient => 5,
            Outcome::Unsolved => 6,
            Outcome::Reused => 7,
        }
    }

    /// Unknown codes read as [`Outcome::Tampered`] (never as valid).
    pub fn from_code(code: i16) -> Outcome {
        match code {
            0 => Outcome::Absent,
            1 => Outcome::Valid,
            3 => Outcome::Expired,
            4 => Outcome::ForeignProject,
            5 => Outcome::OtherClient,
            6 => Outcome::Unsolved,
            7 => Outcome::Reused,
            _ => Outcome::Tampered,
        }
    }

    /// The API's name of it (a session's batches).
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Absent => "absent",
            Outcome::Valid => "valid",
            Outcome::Tampered => "tampered",
            Outcome::Expired => "expired",
            Outcome::ForeignProject => "foreign_project",
            Outcome::OtherClient => "other_client",
            Outcome::Unsolved => "unsolved",
            Outcome::Reused => "reused",
        }
    }

    /// How the detection reason names it.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Absent => "absent",
            Outcome::Valid => "valid",
            Outcome::Tampered => "tampered or not issued here",
            Outcome::Expired => "expired",
            Outcome::ForeignProject => "issued for another project",
            Outcome::OtherClient => "issued to another client",
            Outcome::Unsolved => "wrongly solved",
            Outcome::Reused => "already used by another session",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_is_never_valid() {
        for o in Outcome::INVALID
            .into_iter()
            .chain([Outcome::Absent, Outcome::Valid])
        {
            assert_eq!(Outcome::from_code(o.code()), o);
        }
        assert_eq!(Outcome::from_code(99), Outcome::Tampered);
        assert_eq!(Outcome::from_code(-1), Outcome::Tampered);
    }
}
