//! Buildings, rooms and places; stay modes; a group's settings and its archive.

use serde_json::Value;
use server::demo::{ADMIN, ADMIN2, TEACHER};

use crate::helpers::{TestApp, User};

crate::on_both_backends!(
    true,
    the_admin_keeps_buildings_and_rooms,
    rooms_in_use_and_foreign_premises_are_refused,
    stay_modes_are_regional_defaults_plus_the_organisations_own,
    an_own_stay_mode_is_changed_and_groups_follow,
    a_group_gets_ages_a_stay_mode_and_a_room,
    a_group_is_archived_only_without_children,
);

async fn status_and_body(user: &User, function: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let res = user.call(function, form).await;
    let status = res.status().as_u16();
    let body = res.text().await.unwrap();
    (
        status,
        serde_json::from_str(&body).unwrap_or(Value::String(body)),
    )
}

fn building<'a>(premises: &'a Value, name: &str) -> &'a Value {
    premises
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["name"] == name)
        .unwrap_or_else(|| panic!("no building {name} in {premises}"))
}

fn room<'a>(building: &'a Value, name: &str) -> &'a Value {
    building["rooms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no room {name} in {building}"))
}

async fn the_admin_keeps_buildings_and_rooms(app: TestApp) {
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let premises = admin.json("list_premises", &[]).await;
    let main = building(&premises, "Основной корпус");
    let sun_room = room(main, "Групповая 1");
    assert_eq!(sun_room["places"], 20);
    assert_eq!(sun_room["groups"][0]["name"], "Солнышко");
    let enrolled = app
        .count("SELECT COUNT(*) FROM children c JOIN groups g ON g.id = c.group_id WHERE g.name = 'Солнышко'")
        .await;
    assert_eq!(sun_room["groups"][0]["children"], enrolled);
    assert!(building(&premises, "Основной корпус")["rooms"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["archived"] == false));

    let id = admin
        .json(
            "save_building",
            &[
                ("building_id", ""),
                ("name", "  Корпус   2 "),
                ("address", "ул. Ленина, 5"),
            ],
        )
        .await;
    let id = id.as_i64().unwrap().to_string();
    let (status, body) = status_and_body(
        &admin,
        "save_building",
        &[("building_id", ""), ("name", "корпус 2"), ("address", "")],
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["field"], "name");
    let (status, body) = status_and_body(
        &admin,
        "save_building",
        &[("building_id", ""), ("name", " "), ("address", "")],
    )
    .await;
    assert_eq!(
        (status, &body["field"]),
        (400, &Value::from("name")),
        "{body}"
    );

    let (status, body) = status_and_body(
        &admin,
        "save_room",
        &[
            ("room_id", ""),
            ("building_id", &id),
            ("name", "Спальня"),
            ("places", "0"),
        ],
    )
    .await;
    assert_eq!(
        (status, &body["field"]),
        (400, &Value::from("places")),
        "{body}"
    );
    assert!(
        body["ru"].as_str().unwrap().contains("от 1 до 300"),
        "{body}"
    );
    let room_id = admin
        .json(
            "save_room",
            &[
                ("room_id", ""),
                ("building_id", &id),
                ("name", "Спальня"),
                ("places", "18"),
            ],
        )
        .await
        .as_i64()
        .unwrap()
        .to_string();
    admin
        .json(
            "save_room",
            &[
                ("room_id", &room_id),
                ("building_id", &id),
                ("name", "Спальня 1"),
                ("places", "22"),
            ],
        )
        .await;
    admin
        .json(
            "save_building",
            &[
                ("building_id", &id),
                ("name", "Корпус 2"),
                ("address", "ул. Ленина, 7"),
            ],
        )
        .await;
    let premises = admin.json("list_premises", &[]).await;
    let second = building(&premises, "Корпус 2");
    assert_eq!(second["address"], "ул. Ленина, 7");
    assert_eq!(room(second, "Спальня 1")["places"], 22);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM rooms WHERE name = 'Спальня'")
            .await,
        0,
        "renamed, not added"
    );

    // A building with rooms in use is archived only after its rooms.
    let (status, body) = status_and_body(
        &admin,
        "archive_building",
        &[("building_id", &id), ("archived", "true")],
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert!(body["ru"].as_str().unwrap().contains("Спальня 1"), "{body}");
    admin
        .json(
            "archive_room",
            &[("room_id", &room_id), ("archived", "true")],
        )
        .await;
    admin
        .json(
            "archive_building",
            &[("building_id", &id), ("archived", "true")],
        )
        .await;
    // No new rooms in an archived building, and its rooms come back only with it.
    let (status, _) = status_and_body(
        &admin,
        "save_room",
        &[
            ("room_id", ""),
            ("building_id", &id),
            ("name", "Ещё"),
            ("places", "5"),
        ],
    )
    .await;
    assert_eq!(status, 409);
    let (status, _) = status_and_body(
        &admin,
        "archive_room",
        &[("room_id", &room_id), ("archived", "false")],
    )
    .await;
    assert_eq!(status, 409);
    admin
        .json(
            "archive_building",
            &[("building_id", &id), ("archived", "false")],
        )
        .await;
    admin
        .json(
            "archive_room",
            &[("room_id", &room_id), ("archived", "false")],
        )
        .await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM rooms WHERE archived = 0 AND name = 'Спальня 1'")
            .await,
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM buildings WHERE archived = 1")
            .await,
        0
    );
}

async fn rooms_in_use_and_foreign_premises_are_refused(app: TestApp) {
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let foreign = app.signed_in(ADMIN2.login, ADMIN2.password).await;
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let sun_room = app
        .scalar("SELECT room_id FROM groups WHERE name = 'Солнышко'")
        .await
        .to_string();
    let (status, body) = status_and_body(
        &admin,
        "archive_room",
        &[("room_id", &sun_room), ("archived", "true")],
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert!(body["ru"].as_str().unwrap().contains("Солнышко"), "{body}");
    assert!(body["en"].as_str().unwrap().contains("Солнышко"), "{body}");

    let building = app
        .scalar(&format!(
            "SELECT building_id FROM rooms WHERE id = {sun_room}"
        ))
        .await
        .to_string();
    for (user, want) in [(&foreign, 403), (&teacher, 403)] {
        let (status, _) = status_and_body(
            user,
            "save_room",
            &[
                ("room_id", &sun_room),
                ("building_id", &building),
                ("name", "Чужой"),
                ("places", "9"),
            ],
        )
        .await;
        assert_eq!(status, want);
        let (status, _) = status_and_body(
            user,
            "save_building",
            &[
                ("building_id", &building),
                ("name", "Чужой"),
                ("address", ""),
            ],
        )
        .await;
        assert_eq!(status, want);
    }
    let (status, _) = status_and_body(
        &foreign,
        "archive_room",
        &[("room_id", &sun_room), ("archived", "true")],
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM rooms WHERE name = 'Чужой'")
            .await
            + app
                .count("SELECT COUNT(*) FROM buildings WHERE name = 'Чужой'")
                .await
            + app
                .count("SELECT COUNT(*) FROM rooms WHERE archived = 1")
                .await,
        0,
        "nothing was changed by the refused calls"
    );
    // The foreign admin sees its own organisation's premises only.
    let theirs = foreign.json("list_premises", &[]).await;
    let rooms: Vec<&Value> = theirs
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|b| b["rooms"].as_array().unwrap())
        .collect();
    assert!(rooms
        .iter()
        .all(|r| r["id"].as_i64().unwrap().to_string() != sun_room));
    assert!(rooms.iter().any(|r| r["groups"][0]["name"] == "Радуга"));
}

async fn stay_modes_are_regional_defaults_plus_the_organisations_own(app: TestApp) {
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let foreign = app.signed_in(ADMIN2.login, ADMIN2.password).await;
    let modes = admin.json("list_stay_modes", &[]).await;
    let names: Vec<&str> = modes
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name_ru"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Круглосуточное пребывание",
            "Полный день",
            "Сокращённый день",
            "Кратковременное пребывание"
        ]
    );
    let (status, body) = status_and_body(
        &admin,
        "add_stay_mode",
        &[
            ("name_ru", "Продлённый день"),
            ("name_en", ""),
            ("hours", "10,25"),
        ],
    )
    .await;
    assert_eq!(
        (status, &body["field"]),
        (400, &Value::from("hours")),
        "{body}"
    );
    let id = admin
        .json(
            "add_stay_mode",
            &[
                ("name_ru", "Продлённый день"),
                ("name_en", "Extended day"),
                ("hours", "13,5"),
            ],
        )
        .await
        .as_i64()
        .unwrap();
    assert_eq!(
        app.scalar(&format!("SELECT minutes FROM stay_modes WHERE id = {id}"))
            .await,
        810
    );
    let (status, body) = status_and_body(
        &admin,
        "add_stay_mode",
        &[
            ("name_ru", "полный  день"),
            ("name_en", ""),
            ("hours", "12"),
        ],
    )
    .await;
    assert_eq!(
        (status, &body["field"]),
        (409, &Value::from("name_ru")),
        "{body}"
    );

    // Another organisation neither sees nor archives it; nobody archives a default.
    let theirs = foreign.json("list_stay_modes", &[]).await;
    assert!(theirs.as_array().unwrap().iter().all(|m| m["id"] != id));
    let id = id.to_string();
    let (status, _) = status_and_body(
        &foreign,
        "archive_stay_mode",
        &[("stay_mode_id", &id), ("archived", "true")],
    )
    .await;
    assert_eq!(status, 403);
    let default = app
        .scalar("SELECT id FROM stay_modes WHERE name_ru = 'Полный день'")
        .await
        .to_string();
    let (status, body) = status_and_body(
        &admin,
        "archive_stay_mode",
        &[("stay_mode_id", &default), ("archived", "true")],
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert!(body["ru"].as_str().unwrap().contains("регион"), "{body}");
    admin
        .json(
            "archive_stay_mode",
            &[("stay_mode_id", &id), ("archived", "true")],
        )
        .await;
    let modes = admin.json("list_stay_modes", &[]).await;
    let last = modes.as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["name_ru"].as_str(), last["archived"].as_bool()),
        (Some("Продлённый день"), Some(true))
    );
}

async fn save_mode(user: &User, id: &str, name_ru: &str, hours: &str) -> (u16, Value) {
    let form = [
        ("stay_mode_id", id),
        ("name_ru", name_ru),
        ("name_en", "Extended day"),
        ("hours", hours),
    ];
    status_and_body(user, "save_stay_mode", &form).await
}

async fn an_own_stay_mode_is_changed_and_groups_follow(app: TestApp) {
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let foreign = app.signed_in(ADMIN2.login, ADMIN2.password).await;
    let add = |name: &'static str, hours: &'static str| {
        let admin = &admin;
        async move {
            admin
                .json(
                    "add_stay_mode",
                    &[("name_ru", name), ("name_en", ""), ("hours", hours)],
                )
                .await
                .as_i64()
                .unwrap()
                .to_string()
        }
    };
    let extended = add("Продлённый день", "13").await;
    add("Вечерняя группа", "5").await;
    let sun = app
        .scalar("SELECT id FROM groups WHERE name = 'Солнышко'")
        .await;
    app.execute(&format!(
        "UPDATE groups SET stay_mode_id = {extended} WHERE id = {sun}"
    ))
    .await;

    // Refusals change nothing: bad hours, another mode's name, a default, a foreign admin.
    let (status, body) = save_mode(&admin, &extended, "Продлённый день", "25").await;
    assert_eq!(
        (status, &body["field"]),
        (400, &Value::from("hours")),
        "{body}"
    );
    let (status, body) = save_mode(&admin, &extended, "вечерняя группа", "12").await;
    assert_eq!(
        (status, &body["field"]),
        (409, &Value::from("name_ru")),
        "{body}"
    );
    let default = app
        .scalar("SELECT id FROM stay_modes WHERE name_ru = 'Полный день'")
        .await
        .to_string();
    let (status, body) = save_mode(&admin, &default, "Полный день", "11").await;
    assert_eq!(status, 403, "{body}");
    assert!(body["ru"].as_str().unwrap().contains("регион"), "{body}");
    let (status, _) = save_mode(&foreign, &extended, "Чужой", "12").await;
    assert_eq!(status, 403);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM stay_modes WHERE id = {extended} AND name_ru = 'Продлённый день' AND minutes = 780"
        ))
        .await,
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM stay_modes WHERE organisation_id IS NULL AND name_ru = 'Полный день' AND minutes = 720")
            .await,
        1
    );

    // Its own name may stay as it is; the group shows the new hours and name.
    let (status, body) = save_mode(&admin, &extended, "Продлённый день", "13,5").await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = save_mode(&admin, &extended, "Группа продлённого дня", "13,5").await;
    assert_eq!(status, 200, "{body}");
    let groups = admin.json("list_groups", &[]).await;
    let row = groups["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == sun)
        .unwrap();
    assert_eq!(row["stay_mode_ru"], "Группа продлённого дня");
    assert_eq!(
        app.scalar(&format!(
            "SELECT minutes FROM stay_modes WHERE id = {extended}"
        ))
        .await,
        810
    );
}

async fn a_group_gets_ages_a_stay_mode_and_a_room(app: TestApp) {
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let daisy = app
        .scalar("SELECT id FROM groups WHERE name = 'Ромашка'")
        .await
        .to_string();
    let short = app
        .scalar("SELECT id FROM stay_modes WHERE name_ru = 'Кратковременное пребывание'")
        .await
        .to_string();
    let hall = app
        .scalar(&format!("SELECT r.id FROM rooms r JOIN buildings b ON b.id = r.building_id JOIN organisations o ON o.id = b.organisation_id WHERE r.name = 'Музыкальный зал' AND o.inn = '{}'", server::demo::DEMO_INN))
        .await;
    let foreign_hall = app
        .scalar(&format!(
            "SELECT id FROM rooms WHERE name = 'Музыкальный зал' AND id <> {hall}"
        ))
        .await
        .to_string();
    let hall = hall.to_string();
    let settings = admin.json("group_settings", &[("group_id", &daisy)]).await;
    assert!(settings["rooms"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["id"].as_i64() == hall.parse().ok()));
    assert!(settings["rooms"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["id"].as_i64() != foreign_hall.parse().ok()));

    let save =
        |name: &'static str, from: &'static str, to: &'static str, mode: String, room: String| {
            let daisy = daisy.clone();
            let admin = &admin;
            async move {
                status_and_body(
                    admin,
                    "save_group",
                    &[
                        ("group_id", &daisy),
                        ("name", name),
                        ("age_from", from),
                        ("age_to", to),
                        ("stay_mode_id", &mode),
                        ("room_id", &room),
                    ],
                )
                .await
            }
        };
    let (status, body) = save("Ромашка", "5", "3", short.clone(), hall.clone()).await;
    assert_eq!(
        (status, &body["field"]),
        (400, &Value::from("age_from")),
        "{body}"
    );
    let (status, body) = save("Ромашка", "3", "", short.clone(), hall.clone()).await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = save("Ромашка", "3", "4", short.clone(), foreign_hall.clone()).await;
    assert_eq!(
        (status, &body["field"]),
        (409, &Value::from("room_id")),
        "{body}"
    );
    let (status, body) = save("Солнышко", "3", "4", short.clone(), hall.clone()).await;
    assert_eq!(
        (status, &body["field"]),
        (409, &Value::from("name")),
        "{body}"
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM groups WHERE id = {daisy} AND room_id = {hall}"
        ))
        .await,
        0,
        "refused saves change nothing"
    );

    let (status, body) = save("Ромашка", "2", "3", short.clone(), hall.clone()).await;
    assert_eq!(status, 200, "{body}");
    let groups = admin.json("list_groups", &[]).await;
    let row = groups["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "Ромашка")
        .unwrap();
    assert_eq!(
        (row["age_from"].as_i64(), row["age_to"].as_i64()),
        (Some(2), Some(3))
    );
    assert_eq!(row["stay_mode_ru"], "Кратковременное пребывание");
    assert_eq!(row["room"], "Основной корпус · Музыкальный зал");
    assert_eq!(row["places"], 30);

    // Clearing the room and the mode is allowed.
    let (status, _) = save("Ромашка", "", "", String::new(), String::new()).await;
    assert_eq!(status, 200);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM groups WHERE id = {daisy} AND room_id IS NULL AND stay_mode_id IS NULL AND age_from IS NULL"
        ))
        .await,
        1
    );
}

async fn a_group_is_archived_only_without_children(app: TestApp) {
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let sun = app
        .scalar("SELECT id FROM groups WHERE name = 'Солнышко'")
        .await
        .to_string();
    let (status, body) = status_and_body(
        &admin,
        "archive_group",
        &[("group_id", &sun), ("archived", "true")],
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["ru"].as_str().unwrap().contains("числятся дети"),
        "{body}"
    );

    let new = admin.json("add_group", &[("name", "Пустая")]).await["id"]
        .as_i64()
        .unwrap()
        .to_string();
    let teacher_staff = app
        .scalar("SELECT s.id FROM staff s JOIN accounts a ON a.person_id = s.person_id WHERE a.login = 'teacher'")
        .await
        .to_string();
    admin
        .json(
            "set_group_binding",
            &[
                ("staff_id", teacher_staff.as_str()),
                ("group_id", &new),
                ("bind", "true"),
            ],
        )
        .await;
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let before = teacher.json("my_groups", &[]).await;
    assert!(before
        .as_array()
        .unwrap()
        .iter()
        .any(|g| g["name"] == "Пустая"));

    admin
        .json("archive_group", &[("group_id", &new), ("archived", "true")])
        .await;
    let groups = admin.json("list_groups", &[]).await;
    assert!(groups["groups"]
        .as_array()
        .unwrap()
        .iter()
        .all(|g| g["name"] != "Пустая"));
    assert_eq!(groups["archived"][0]["name"], "Пустая");
    let after = teacher.json("my_groups", &[]).await;
    assert!(after
        .as_array()
        .unwrap()
        .iter()
        .all(|g| g["name"] != "Пустая"));

    let foreign = app.signed_in(ADMIN2.login, ADMIN2.password).await;
    let (status, _) = status_and_body(
        &foreign,
        "archive_group",
        &[("group_id", &new), ("archived", "false")],
    )
    .await;
    assert_eq!(status, 403);
    admin
        .json(
            "archive_group",
            &[("group_id", &new), ("archived", "false")],
        )
        .await;
    let groups = admin.json("list_groups", &[]).await;
    assert!(groups["groups"]
        .as_array()
        .unwrap()
        .iter()
        .any(|g| g["name"] == "Пустая"));
}
