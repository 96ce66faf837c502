from workshop.auth.services import user_for_token


def test_users_create_and_token(runner, ctx):
    result = runner.invoke(args=["users", "create", "bantochuc@tinh.gov.vn", "--role", "organizer",
                                 "--password", "matkhau-123", "--name", "Trần Văn B"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["users", "token", "bantochuc@tinh.gov.vn"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert user_for_token(token).name == "Trần Văn B"


def test_users_create_refuses_a_duplicate(runner, ctx):
    args = ["users", "create", "a@example.org", "--role", "staff", "--password", "matkhau-123"]
    assert runner.invoke(args=args).exit_code == 0
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert "a@example.org" in result.output


def test_users_token_for_an_unknown_account(runner, ctx):
    result = runner.invoke(args=["users", "token", "nobody@example.org"])
    assert result.exit_code != 0


def test_users_revoke_token(runner, ctx):
    runner.invoke(args=["users", "create", "a@example.org", "--role", "staff",
                        "--password", "matkhau-123"])
    token = runner.invoke(args=["users", "token", "a@example.org"]).output.strip().splitlines()[-1]
    assert runner.invoke(args=["users", "revoke-token", token]).exit_code == 0
    assert user_for_token(token) is None
    assert runner.invoke(args=["users", "revoke-token", token]).exit_code != 0
