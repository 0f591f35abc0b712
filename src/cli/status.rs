//! `envact status`: which environment this shell is in, or where a
//! template is pinned.

use envact::app::status::{status, Status};
use envact::context::Context;
use envact::template::TemplateRef;

use super::Outcome;

const EXAMPLES: &str = "\
Examples:
  envact status                              # exit 0 inside an activation, 1 outside
  envact status || envact activate
  envact status -r team/aws                  # the pin and whether it is trusted";

/// Show the environment active in this shell (exit 1 when none is).
///
/// Inside an activation: its name, directory and manifest, what the
/// manifest includes ([include]) and which included value a later part
/// overrode, the credentials it gives (role or profile, account, until
/// when, how they reach commands), what is kept in the session cache (each
/// profile's too), until when, and how old the long-term key is. Variables
/// left over from an activation that has ended are recognised as such.
///
/// With -r: the template's pin (registry URL, commit, when fetched) and
/// whether that content is trusted, without touching the network (exit 1
/// when it was never used).
#[derive(clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    /// A remote template: REGISTRY/TEMPLATE[@REF].
    #[arg(short = 'r', long = "remote", value_name = "TEMPLATE")]
    remote: Option<TemplateRef>,
}

pub fn run(args: Args, cx: &Context) -> Outcome {
    if let Some(tref) = &args.remote {
        return template(cx, tref);
    }
    match status(cx) {
        Status::Active {
            env,
            gives,
            kept,
            sign_in,
            includes,
            overridden,
            key_age,
        } => {
            outln!("environment: {}", env.name);
            outln!("directory:   {}", env.dir.display());
            if let Some(manifest) = &env.manifest {
                outln!("manifest:    {}", manifest.display());
            }
            if !includes.is_empty() {
                outln!(
                    "includes:    {} (merged in this order, the manifest last)",
                    includes.join(", ")
                );
            }
            for (key, earlier, later) in &overridden {
                outln!("overridden:  {key} of {earlier}, by {later}");
            }
            if let Some((item, age)) = &key_age {
                outln!("key:         {item}, {age} (`envact rotate` replaces it)");
            }
            if let Some(gives) = gives {
                outln!("credentials: {}", gives.credentials);
                if let Some(until) = &gives.expires {
                    outln!("until:       {until}");
                }
                outln!("given:       {}", gives.inject);
                for (i, p) in gives.profiles.iter().enumerate() {
                    let label = if i == 0 { "profiles:" } else { "" };
                    let until = match &p.expires {
                        Some(until) => format!("until {until}"),
                        None => "not asked for yet".into(),
                    };
                    outln!("{label:<12} {}: {}, {until}", p.name, p.credentials);
                }
            }
            for (what, until) in kept {
                outln!("cached:      {what}, until {}", envact::aws::rfc3339(until));
            }
            if let Some(s) = sign_in {
                let session = s
                    .session
                    .map(|n| format!(" (sso-session {n})"))
                    .unwrap_or_default();
                let state = match s.expires_at {
                    Some(at) if at > std::time::SystemTime::now() => {
                        format!("token until {}", envact::aws::rfc3339(at))
                    }
                    Some(at) => format!(
                        "token expired at {} (renewed from its refresh token, or `envact login`)",
                        envact::aws::rfc3339(at)
                    ),
                    None => "not signed in (`envact login`)".into(),
                };
                outln!("sign-in:     {}{session}, {state}", s.start_url);
            }
            Ok(0)
        }
        Status::Ended(env) => {
            outln!(
                "no environment is active: ENVACT_ENV={:?} is left over from an activation that has ended",
                env.name
            );
            Ok(1)
        }
        Status::None => {
            outln!("no envact environment is active in this shell");
            Ok(1)
        }
    }
}

fn template(cx: &Context, tref: &TemplateRef) -> Outcome {
    let status = envact::app::templates::pin_status(cx, tref)?;
    let Some(pin) = status.pin else {
        outln!("{tref} is not pinned yet: its first use (`envact activate -r {tref}`) fetches it");
        return Ok(1);
    };
    outln!("template:    {}", tref.name());
    outln!("registry:    {}", pin.url);
    outln!("ref:         {}", pin.at);
    outln!("commit:      {}", pin.commit);
    outln!("fetched:     {}", pin.fetched_at);
    let short = |c: &str| c.get(..12).unwrap_or(c).to_string();
    match status.trusted {
        Some((_, true)) => outln!("trusted:     yes"),
        Some((commit, false)) => outln!(
            "trusted:     no: changed since you trusted commit {} (`envact trust -r {tref}`)",
            short(&commit)
        ),
        None => outln!("trusted:     no (`envact trust -r {tref}`)"),
    }
    Ok(0)
}
