"""The second factor: TOTP authenticator apps and recovery codes (django-otp) for superusers
and the roles that move money or see pay (``Role.second_factor`` in backoffice.roles).

After the password, such a user passes a code (verify) or, without a confirmed authenticator,
sets one up (enroll); until then SecondFactorMiddleware lets them reach nothing else, the admin
included. Wrong codes count toward django-axes' lockout of the account.
"""
